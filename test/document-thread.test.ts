import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ApiError } from '../src/apimachinery/errors.ts';
import { DocumentThread } from '../src/entry/documentThread.ts';
import { decodeDocument } from '../src/server/codec.ts';
import { Kubectl } from '../harness/kubectl.ts';
import { startNodeServer, type TestServer } from '../harness/server.ts';

/** The body cut into pieces of `size` bytes, as a socket may deliver it (a cut may split a UTF-8 character). */
function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

/** What decoding gave: the document, or the ApiError's code, reason and message. */
async function outcome(decode: () => unknown): Promise<unknown> {
  try {
    return { document: await decode() };
  } catch (err) {
    assert.ok(err instanceof ApiError, `an ApiError, not ${String(err)}`);
    return { code: err.code, reason: err.reason, message: err.message, details: err.details };
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('the document thread decodes a body as the loop would (unit)', () => {
  const thread = new DocumentThread();
  after(() => thread.close());

  const cases: Array<[string, Uint8Array, string | null, string | undefined]> = [
    ['a 1 MiB ConfigMap, JSON', utf8(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { v: 'é€💥x'.repeat(100_000) } })), 'application/json', 'ConfigMap'],
    ['no Content-Type: JSON', utf8(JSON.stringify({ kind: 'Pod', items: Array.from({ length: 5_000 }, (_, i) => ({ i })) })), null, 'Pod'],
    ['YAML', utf8(stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' }, data: { v: 'x'.repeat(300_000) } })), 'application/yaml', 'ConfigMap'],
    ['malformed JSON', utf8(`{"apiVersion":"v1","kind":"ConfigMap",${' '.repeat(300_000)}"x":}`), 'application/json', 'ConfigMap'],
    ['invalid UTF-8', Uint8Array.from([...utf8('{"a":"'), 0xff, 0xfe, ...utf8('"}')]), 'application/json', 'ConfigMap'],
    ['nested 150 deep', utf8(`${'['.repeat(150)}${']'.repeat(150)}`), 'application/json', 'ConfigMap'],
    ['a Content-Type without a media type', utf8('{}'), ';charset=utf-8', 'ConfigMap'],
    ['an unsupported media type', utf8('{}'), 'text/plain', 'ConfigMap'],
    ['not protobuf', utf8('{"a":1}'), 'application/vnd.kubernetes.protobuf', 'ConfigMap'],
  ];
  for (const [label, bytes, contentType, into] of cases) {
    it(`${label}: the same document or the same error, whatever pieces the body came in`, async () => {
      const expected = await outcome(() => decodeDocument(bytes, contentType, into));
      for (const size of [bytes.byteLength, 16_384, 7]) {
        if (size === 7 && bytes.byteLength > 100_000) continue;
        assert.deepEqual(await outcome(() => thread.decode(pieces(bytes, size), contentType, into)), expected, `in pieces of ${size} bytes`);
      }
    });
  }

  it('a collection of its garbage is answered and is not counted as a body', async () => {
    const before = thread.answered;
    await thread.collectGarbage();
    assert.equal(thread.answered, before);
  });

  it('a thread that stops fails the bodies it held; the next body starts another', { timeout: 60_000 }, async () => {
    const small = new DocumentThread({ maxHeapMb: 16 });
    try {
      // ~1.7 million small objects: past a 16 MB heap.
      const hostile = utf8(`[${Array.from({ length: 850_000 }, () => '{},{}').join(',')}]`);
      await assert.rejects(small.decode(pieces(hostile, 65_536), 'application/json', 'ConfigMap'), /the document thread stopped/);
      assert.deepEqual(await small.decode([utf8('{"kind":"ConfigMap"}')], 'application/json', 'ConfigMap'), { kind: 'ConfigMap' });
    } finally {
      await small.close();
    }
  });
});

describe('large bodies are decoded off the loop on the Node entry (kubectl v1.35)', () => {
  let server: TestServer;
  let kubectl: Kubectl;
  const dir = mkdtempSync(join(tmpdir(), 'document-thread-'));
  before(async () => {
    server = await startNodeServer();
    kubectl = new Kubectl(await server.kubeconfig());
  });
  after(() => server?.close());
  const answered = () => (server.ports.documents as DocumentThread).answered;

  it('create configmap --from-file of 2 MiB (protobuf): the 422 kube-apiserver gives, decoded by the thread', { timeout: 60_000 }, async () => {
    const file = join(dir, 'big.txt');
    writeFileSync(file, 'x'.repeat(2 * 1024 * 1024));
    const before = answered();
    const result = await kubectl.run(['create', 'configmap', 'big', `--from-file=v=${file}`]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), 'error: failed to create configmap: ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes');
    assert.equal(answered(), before + 1, 'the body was decoded by the document thread');
  });

  it('create -f of a 900 KB ConfigMap (JSON) is stored whole; a malformed large body is the 400 kube-apiserver gives', { timeout: 60_000 }, async () => {
    const value = 'ü'.repeat(450_000);
    const before = answered();
    const created = await kubectl.ok(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'large' }, data: { v: value } }) });
    assert.equal(created.trim(), 'configmap/large created');
    assert.equal(answered(), before + 1, 'the body was decoded by the document thread');
    assert.equal(await kubectl.ok(['get', 'configmap', 'large', '-o', 'jsonpath={.data.v}']), value);

    const malformed = await kubectl.run(['replace', '--raw', '/api/v1/namespaces/default/configmaps/large', '-f', '-'], { input: `{"apiVersion":"v1","kind":"ConfigMap",${' '.repeat(300_000)}"x":}` });
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /^Error from server \(BadRequest\): the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: invalid character '}' looking for beginning of value/);
    assert.equal(answered(), before + 2);
  });
});
