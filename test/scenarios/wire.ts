import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import type { Entry } from './core.ts';

/**
 * Go's wire habits, seen through the real kubectl's `get --raw` (its User-Agent gets compact JSON):
 * query booleans as apimachinery converts them, integers as strconv.ParseInt reads them, a trailing
 * newline after compact JSON, and query parameters nobody reads ignored.
 */
export function wireScenario(label: string, open: () => Promise<Entry>) {
  describe(`Go's wire habits (${label})`, () => {
    let server: Entry;
    let kubectl: Kubectl;
    before(async () => {
      server = await open();
      kubectl = new Kubectl(await server.kubeconfig());
      await kubectl.ok(['create', 'configmap', 'wired', '--from-literal=k=v']);
    });
    after(() => server.close());

    const cms = '/api/v1/namespaces/default/configmaps';

    for (const value of ['True', 'true', '1', 'yes', '']) {
      it(`watch=${value} opens a watch (anything but "0" and "false" is true)`, async () => {
        const out = await kubectl.ok(['get', '--raw', `${cms}?watch=${value}&timeoutSeconds=1&fieldSelector=metadata.name%3Dwired`]);
        const events = out.trim().split('\n').map((line) => JSON.parse(line) as { type: string; object: { kind: string; metadata: { name: string } } });
        assert.deepEqual(events.map((e) => [e.type, e.object.kind, e.object.metadata.name]), [['ADDED', 'ConfigMap', 'wired']]);
      });
    }

    for (const value of ['false', 'FALSE', 'False', '0']) {
      it(`watch=${value} lists`, async () => {
        const out = await kubectl.ok(['get', '--raw', `${cms}?watch=${value}&fieldSelector=metadata.name%3Dwired`]);
        assert.equal((JSON.parse(out) as { kind: string }).kind, 'ConfigMapList');
      });
    }

    it('compact JSON ends with one newline, Status fields in Go struct order', async () => {
      // -v=9 logs the body as received, on a line of its own
      const result = await kubectl.run(['get', '--raw', `${cms}/nope`, '-v=9']);
      assert.notEqual(result.code, 0);
      const body = /"Response Body" body=<\n\t(\{.*\})\n/.exec(result.stderr)?.[1];
      assert.equal(body, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}');
      const object = await kubectl.ok(['get', '--raw', `${cms}/wired`]);
      assert.match(object, /^\{"kind":"ConfigMap","apiVersion":"v1","metadata":\{"name":"wired","namespace":"default","uid":"[^"]+","resourceVersion":"\d+","creationTimestamp":"[^"]+","managedFields":\[\{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"[^"]+","fieldsType":"FieldsV1","fieldsV1":\{"f:data":\{".":\{\},"f:k":\{\}\}\}\}\]\},"data":\{"k":"v"\}\}\n$/);
    });

    it('a malformed integer is a 400 in strconv.ParseInt words', async () => {
      const result = await kubectl.run(['get', '--raw', `${cms}?limit=ten`]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /strconv\.ParseInt: parsing "ten": invalid syntax/);
    });

    it('query parameters nobody reads are ignored', async () => {
      const out = await kubectl.ok(['get', '--raw', `${cms}/wired?nosuchparameter=1&pretty=nonsense&export=true`]);
      assert.equal((JSON.parse(out) as { metadata: { name: string } }).metadata.name, 'wired');
    });

    it('?pretty=true indents as json.MarshalIndent, without a trailing newline', async () => {
      const out = await kubectl.ok(['get', '--raw', `${cms}/wired?pretty=true`]);
      assert.match(out, /^\{\n {2}"kind": "ConfigMap",\n {2}"apiVersion": "v1",\n {2}"metadata": \{\n {4}"name": "wired",/);
      assert.match(out, /\n\}$/);
    });

    // Go's server reads what a handler left of a body (up to 256 KiB) and keeps the connection;
    // a server that closes it instead, unannounced, resets the client's next request on it.
    it('a request refused before its body was read leaves the connection usable for the next', async () => {
      const url = new URL((parse(await server.kubeconfig()) as { clusters: { cluster: { server: string } }[] }).clusters[0].cluster.server);
      const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
      const send = (method: string, token: string, body?: string) => new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request(new URL(`${url.pathname.replace(/\/$/, '')}${cms}`, url), { method, agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end(body);
      });
      try {
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'refused' }, data: { k: 'x'.repeat(4096) } });
        for (let i = 0; i < 5; i++) assert.deepEqual(await send('POST', 'not-a-token', body), { status: 401, reused: i > 0 });
        assert.deepEqual(await send('GET', await server.token()), { status: 200, reused: true });
      } finally {
        agent.destroy();
      }
    });
  });
}
