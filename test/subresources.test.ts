import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { defaultClusterRecord, testSecret } from '../harness/server.ts';
import { createApp, type AppOptions } from '../src/app.ts';
import { discardQueue, systemClock, type Ports } from '../src/ports.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { resources } from '../src/registry/resources/index.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { readClusterRecord } from '../src/tenancy/clusters.ts';
import { provisionInStore } from '../src/tenancy/provision.ts';

/**
 * Subresources beyond `status` are the table handed to createApp (by default
 * log, binding, eviction and scale), not whatever modules happened to be imported.
 */
describe('subresources handed to createApp', () => {
  const ports: Ports = { store: new MemoryStore(), queue: discardQueue, clock: systemClock, keys: hmacKeys(testSecret) };
  const catalog = new Catalog(resources);
  let token: string;
  before(async () => {
    await provisionInStore(ports, catalog, defaultClusterRecord());
    const uid = (await readClusterRecord(ports.store.cluster('default')))!.uid;
    token = await ports.keys.sign({ sub: 'kubernetes-admin', groups: ['system:masters'], cluster: 'default', clusterUid: uid });
  });

  const send = (options: AppOptions, method: string, path: string, body?: object) =>
    createApp(ports, { catalog, ...options }).fetch(new Request(`https://localhost${path}`, {
      method, body: body && JSON.stringify(body),
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    }));
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const binding = (name: string) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: 'node01' } });

  it('by default pods/binding binds the pod', async () => {
    assert.equal((await send({}, 'POST', '/api/v1/namespaces/default/pods', pod('a'))).status, 201);
    const bound = await send({}, 'POST', '/api/v1/namespaces/default/pods/a/binding', binding('a'));
    assert.equal(bound.status, 201, await bound.clone().text());
    const read = await (await send({}, 'GET', '/api/v1/namespaces/default/pods/a')).json() as { spec: { nodeName?: string } };
    assert.equal(read.spec.nodeName, 'node01');
  });

  it('a table without binding answers 405 for it; a handler in the table serves its subresource', async () => {
    const subresources: AppOptions['subresources'] = { log: async (c, _registry, _def, info) => c.text(`log of ${info.name} from the table`) };
    assert.equal((await send({ subresources }, 'POST', '/api/v1/namespaces/default/pods', pod('b'))).status, 201);
    assert.equal((await send({ subresources }, 'POST', '/api/v1/namespaces/default/pods/b/binding', binding('b'))).status, 405);
    const log = await send({ subresources }, 'GET', '/api/v1/namespaces/default/pods/b/log');
    assert.equal(await log.text(), 'log of b from the table');
  });
});
