import { after } from 'node:test';
import { HttpStore } from '../../harness/httpStore.ts';
import { adminTestToken, startWorker, type TestWorker } from '../../harness/worker.ts';
import { freshClusterOn, type FreshCluster } from './freshCluster.ts';

/**
 * One workerd for many tests: booting it costs seconds of CPU, a
 * cluster on a running one costs a request. Each test takes a fresh cluster of
 * its own (that is what clusters are for); tests that read the server's log,
 * restart it or need other settings keep starting their own with startWorker.
 */

/** Set by the test launcher (test/run.ts) to the URL of the Worker it runs for the whole suite. */
export const sharedWorkerVariable = 'APISERVERLESS_TEST_WORKER_URL';

/** What the shared server runs with beyond the test defaults: the tenancy tests make clusters that live for seconds. */
export const sharedWorkerVars: Record<string, string> = { MIN_TTL_SECONDS: '1' };

export interface SharedWorker {
  /** The server's root: the admin API, the default cluster, the test-only store routes. */
  url: string;
  adminToken: string;
  /** Every cluster's Durable Object, over the test-only store routes. */
  store: HttpStore;
}

let own: Promise<string> | undefined;

/** The launcher's Worker, or (a file run on its own) one for this process, stopped when it exits. */
export async function sharedWorker(): Promise<SharedWorker> {
  const url = process.env[sharedWorkerVariable] ?? (await (own ??= startForThisProcess()));
  return { url, adminToken: adminTestToken, store: new HttpStore(url) };
}

async function startForThisProcess(): Promise<string> {
  const worker = await startWorker({ vars: sharedWorkerVars });
  // The file's tests may end in any order, so none of them stops it: the file's end does
  // (and startWorker's watchdog, if this process is killed outright).
  started = worker;
  return worker.url;
}

let started: TestWorker | undefined;
// Registered as this module loads, so on the file's root: it runs once every test of the file has ended.
after(() => started?.close());

/** A cluster of a test's own on the shared Worker; `default` (or no name) means this cluster. */
export type WorkerTestCluster = FreshCluster<SharedWorker>;

/** Creates a fresh cluster (two nodes, as the default cluster) on the shared Worker through the admin API. */
export async function freshWorkerCluster(): Promise<WorkerTestCluster> {
  return freshClusterOn(await sharedWorker());
}
