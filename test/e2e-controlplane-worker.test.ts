import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kubectl } from '../harness/kubectl.ts';
import { freshWorkerCluster, type WorkerTestCluster } from './helpers/sharedWorker.ts';
import { eventually } from './helpers/eventually.ts';

/** kubectl's output once it matches (bounded: a safety net, not a timing assertion). */
const until = (kubectl: Kubectl, args: string[], pattern: RegExp) =>
  eventually(async () => (await kubectl.run(args)).stdout, (out) => pattern.test(out), `kubectl ${args.join(' ')} to match ${pattern}`, 60_000);

/** The scheduler and kubelets on Cloudflare: real Queues (with delivery delays) into each cluster's Durable Object. */
describe('scheduler and kubelets on the Worker (Cloudflare Queues in workerd)', () => {
  let worker: WorkerTestCluster;
  let kubectl: Kubectl;
  before(async () => {
    worker = await freshWorkerCluster();
    kubectl = new Kubectl(await worker.kubeconfig());
  });
  after(() => worker.close());

  it('a created pod is scheduled, pulled, started and Running with an IP, with the events describe shows', async () => {
    await kubectl.ok(['run', 'nginx', '--image=nginx']);
    const wide = await until(kubectl, ['get', 'pod', 'nginx', '-o', 'wide'], /^nginx\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node01\s/m);
    assert.match(wide, /node01/);
    const described = await kubectl.ok(['describe', 'pod', 'nginx']);
    for (const reason of ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']) assert.match(described, new RegExp(`Normal\\s+${reason}\\s`), reason);
    assert.match(described, /Successfully assigned default\/nginx to node01/);
  });

  it('teaching states: an image that cannot exist, and a command that prints and completes', async () => {
    await kubectl.ok(['run', 'bad', '--image=nginx:does-not-exist']);
    await kubectl.ok(['run', 'hello', '--image=busybox', '--restart=Never', '--', 'echo', 'hello']);
    await until(kubectl, ['get', 'pod', 'bad'], /^bad\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s/m);
    await until(kubectl, ['get', 'pod', 'hello'], /^hello\s+0\/1\s+Completed\s/m);
    assert.equal((await kubectl.ok(['logs', 'hello'])).trim(), 'hello');
  });

  it('a deployment gets its pods from the controllers, and deleting a running pod finishes', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
    await until(kubectl, ['get', 'deploy', 'web'], /^web\s+2\/2\s+2\s+2\s/m);
    assert.match(await kubectl.ok(['delete', 'pod', 'nginx']), /pod "nginx" deleted/);
    assert.match((await kubectl.run(['get', 'pod', 'nginx'])).stderr, /not found/);
  });
});
