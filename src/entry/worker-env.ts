import type { QueueMessage } from '../ports.ts';
import type { CloudflareQueue, DurableObjectNamespace, KVNamespace } from '../types/cloudflare.ts';

/** The bindings declared in wrangler.toml. */
export interface WorkerEnv {
  CLUSTERS: DurableObjectNamespace;
  REGISTRY: KVNamespace;
  EVENTS: CloudflareQueue<QueueMessage>;
  JWT_SECRET: string;
  /** Optional external token issuer: a JWKS URL or JSON key set (see keysFromEnv). */
  JWKS_URL?: string;
  JWKS?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  ADMIN_TOKEN?: string;
  /** The URL users reach this deployment at, for the kubeconfigs it issues. */
  PUBLIC_URL?: string;
  /** Shortest cluster ttl in seconds (default 60; tests of expiry lower it). */
  MIN_TTL_SECONDS?: string;
  /** Only in tests: exposes the store operations for the conformance suite. */
  STORE_TEST_ROUTES?: string;
}
