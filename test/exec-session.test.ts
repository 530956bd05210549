import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Kubectl, KubectlProcess } from '../harness/kubectl.ts';
import { relaxedLimits, startNodeServer, type TestServer } from '../harness/server.ts';
import { startExec, type ExecRequest } from '../src/runtime/execSession.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { eventually, eventuallyPasses } from './helpers/eventually.ts';
import { resumeSession } from '../src/server/exec.ts';

/** One exec'd process, collected: what it wrote and how it ended. */
function run(request: Partial<ExecRequest> & { argv: string[] }, feed?: (session: ReturnType<typeof startExec>) => void) {
  let out = '', err = '';
  return new Promise<{ out: string; err: string; code: number }>((resolve) => {
    const session = startExec({ stdin: false, tty: false, now: () => Date.now(), input: { image: 'busybox', hostname: 'web', env: [{ name: 'MODE', value: 'prod' }], files: { '/etc/config/key': 'v\n' } }, ...request }, {
      stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, exit: (code) => resolve({ out, err, code }),
    });
    feed?.(session);
  });
}

describe('exec sessions (runtime/execSession.ts)', () => {
  it('runs a command with the container\'s env and files; exit codes and stderr', async () => {
    assert.deepEqual(await run({ argv: ['sh', '-c', 'echo $MODE; cat /etc/config/key; cat /nope; exit 2'] }), { out: 'prod\nv\n', err: "cat: can't open '/nope': No such file or directory\n", code: 2 });
  });

  it('a name not on PATH is the runtime\'s error, exit 126; bash only where the image has it', async () => {
    assert.equal((await run({ argv: ['foo'] })).code, 126);
    assert.match((await run({ argv: ['bash', '-c', 'echo hi'] })).out, /exec: "bash": executable file not found in \$PATH/);
    assert.deepEqual(await run({ argv: ['bash', '-c', 'echo hi'], input: { image: 'nginx', hostname: 'web' } }), { out: 'hi\n', err: '', code: 0 });
    assert.deepEqual(await run({ argv: ['sh', '-c', 'nosuch'] }), { out: '', err: 'sh: nosuch: not found\n', code: 127 });
  });

  it('-i: cat echoes stdin at its end; sh runs it line by line', async () => {
    assert.equal((await run({ argv: ['cat'], stdin: true }, (s) => { s.stdin('a\nb'); s.stdin('\n'); s.closeStdin(); })).out, 'a\nb\n');
    assert.deepEqual(await run({ argv: ['sh'], stdin: true }, (s) => { s.stdin('touch /tmp/x\nls /tmp\n'); s.closeStdin(); }), { out: 'x\n', err: '', code: 0 });
  });

  it('-it: a prompt, echo of what is typed, CRLF, exit with a code', async () => {
    const result = await run({ argv: ['sh'], stdin: true, tty: true }, (s) => { s.stdin('echo $MODX\x7fE\r'); setTimeout(() => s.stdin('exit 3\r'), 20); });
    assert.equal(result.code, 3);
    assert.equal(result.out, '/ # echo $MODX\b \bE\r\nprod\r\n/ # exit 3\r\n');
  });
});

describe('exec and the cluster\'s stream budget', () => {
  let server: TestServer | undefined;
  after(() => server?.close());

  it('an open session holds a stream slot; the next one is refused until it ends', async () => {
    server = await startNodeServer({}, { limits: { ...relaxedLimits, maxWatches: 1 } });
    // No kubelet here: the pod is written as one would report it running.
    const registry = server.registry();
    const def = server.catalog.find('', 'v1', 'pods')!;
    await registry.create(def, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { nodeName: 'node01', containers: [{ name: 'web', image: 'busybox', command: ['sleep', '3600'] }] } } as KubeObject);
    const pod = await registry.get(def, 'default', 'web');
    const running = { name: 'web', state: { running: { startedAt: new Date().toISOString() } }, lastState: {}, ready: true, restartCount: 0, image: 'busybox', imageID: '', containerID: 'containerd://1', started: true };
    await registry.update(def, 'default', 'web', { ...pod, status: { phase: 'Running', podIP: '10.244.1.5', containerStatuses: [running] } } as KubeObject, { subresource: 'status' });
    const kubectl = new Kubectl(await server.kubeconfig());
    const held = new KubectlProcess(kubectl, ['exec', 'web', '--', 'sh', '-c', 'echo started; sleep 60']);
    try {
      await held.waitFor(/started/);
      const refused = await kubectl.run(['exec', 'web', '--', 'echo', 'hi']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /Error from server \(TooManyRequests\): too many watches on cluster "default": the limit is 1 concurrent/);
    } finally {
      await held.stop();
    }
    assert.equal(await eventuallyPasses(() => kubectl.ok(['exec', 'web', '--', 'echo', 'hi'])), 'hi\n');
  });

  it('a session started again from its token (a hibernated Durable Object woke for its next message)', async () => {
    const token = JSON.stringify({ cluster: 'default', group: '', version: 'v1', resource: 'pods', namespace: 'default', pod: 'web', uid: (await server!.registry().get(server!.catalog.find('', 'v1', 'pods')!, 'default', 'web')).metadata.uid, container: 'web', command: ['sh'], stdin: true, stdout: true, stderr: true, tty: false, attach: false, protocol: 'v5.channel.k8s.io' });
    const sent: Uint8Array[] = [];
    let closed = false;
    const listener = await resumeSession(server!.registry(), token, { send: (d) => { sent.push(d); }, close: () => { closed = true; } });
    listener.message(new Uint8Array([0, ...new TextEncoder().encode('echo $HOSTNAME\nexit 7\n')]));
    await eventually(async () => closed, (x) => x, 'the session to end');
    const text = (ch: number) => sent.filter((d) => d[0] === ch).map((d) => new TextDecoder().decode(d.subarray(1))).join('');
    assert.equal(text(1), 'web\n');
    assert.match(text(3), /"reason":"NonZeroExitCode".*"message":"7"/);
    // A pod that is gone ends a resumed session with the kubelet's error.
    const gone = await resumeSession(server!.registry(), token.replace('"pod":"web"', '"pod":"gone"'), { send: (d) => { sent.push(d); }, close: () => {} });
    gone.closed();
    assert.match(text(3), /container not found/);
  });
});
