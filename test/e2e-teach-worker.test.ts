import { randomBytes } from 'node:crypto';
import { sharedWorker } from './helpers/sharedWorker.ts';
import { teachScenario } from './scenarios/teach.ts';

/**
 * Teaching tools with the real kubectl v1.35 on the Cloudflare Worker in workerd (the shared one: a
 * Durable Object per cluster holds its API and control plane, in real time): the same trace of
 * `kubectl run web` and of a refused request, and every break-and-fix scenario applied, seen with
 * kubectl, fixed with kubectl and checked fixed (test/scenarios/teach.ts), on a cluster of the
 * file's own. What differs from the Node entry:
 * - the control plane runs in real time, so the waits are longer (kubelet-stopped waits the node
 *   controller's 40 s grace period before node01 is NotReady); nothing here times them;
 * - workerd cannot ask a client for a certificate, so the expired-cert scenario's kubeconfig is
 *   refused as a kubeconfig with only a certificate is on this entry (`Unauthorized: client
 *   certificates are not accepted by this entry …`), not for its date; the student's renewal (a CSR,
 *   approved and issued) still passes the scenario's check, and the renewed kubeconfig is refused
 *   in the same words;
 * - the scenario list through bin/ is the CLI's own table, run by the Node file only.
 * kubectl processes: 44, as on the Node entry.
 */
teachScenario('Cloudflare Worker in workerd', async () => {
  const worker = await sharedWorker();
  return { url: worker.url, adminToken: worker.adminToken, cluster: `teach-${randomBytes(4).toString('hex')}`, ttl: '6h', clientCertificates: false, settleMs: 120_000 };
});
