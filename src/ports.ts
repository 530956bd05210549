import type { Store } from './storage/store.ts';
import type { TraceSink } from './trace/types.ts';

/** A committed write, as every queue consumer sees it. */
export interface ChangeEvent {
  cluster: string;
  group: string;
  resource: string;
  namespace: string;
  name: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  revision: number;
}

/** Work for the background workers: change events, and their own delayed wake-ups. */
export type QueueMessage =
  | ChangeEvent
  | { kind: 'wake'; cluster: string; group: string; resource: string; namespace: string; name: string }
  /** Periodic repair of one cluster (cron on Cloudflare, a timer on Node). */
  | { kind: 'resync'; cluster: string };

export interface Queue {
  send(message: QueueMessage, options?: { delaySeconds?: number }): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface TokenClaims {
  sub: string;
  groups: string[];
  cluster: string;
  /**
   * The uid of the cluster the token was issued for (claim `cluster_uid`): a cluster deleted
   * and re-created under the same name has a new uid, so the old tokens stop working.
   */
  clusterUid?: string;
  exp?: number;
  /**
   * A service account's token (TokenRequest) names the account, with its uid: deleting the
   * account (or re-creating it under its name) ends the token (claim `kubernetes.io`).
   */
  serviceAccount?: { namespace: string; name: string; uid: string };
  /** The token's own id (claim `jti`), shown as the credential id in `kubectl auth whoami`. */
  jti?: string;
  /** Audiences beyond the deployment's own (claim `aud`); a service account token names the cluster's. */
  audiences?: string[];
}

export interface Keys {
  sign(claims: TokenClaims): Promise<string>;
  /** Throws on a bad, expired or foreign token. */
  verify(token: string): Promise<TokenClaims>;
}

/**
 * Decodes a large request body's document off the event loop the clusters share (the Node
 * entry: a worker thread, entry/documentThread.ts). Its answer is what `decodeDocument` would
 * give for the same bytes, or the same ApiError.
 */
export interface DocumentDecoder {
  /** `chunks` are the body as received, handed over (the decoder may take their memory). */
  decode(chunks: Uint8Array[], contentType: string | null, into: string | undefined): Promise<unknown>;
}

export interface Ports {
  store: Store;
  queue: Queue;
  clock: Clock;
  keys: Keys;
  /**
   * Where requests and the scheduler record their steps for `apiserverless trace`: memory of
   * this process only (trace/ring.ts), never the store. Absent: nothing is recorded.
   */
  traces?: TraceSink;
  /** Where a large body's document is decoded; absent, on the loop, on turns of its own (server/codec.ts). */
  documents?: DocumentDecoder;
  /**
   * How a registry gives the loop back between the slices of a long list or the steps of a large
   * write (registry/generic.ts); absent, a turn of the loop (nextTurn). The control plane on a loop
   * the clusters share takes each as a step of its cluster's share (onSharedLoop), so what other
   * tasks run meanwhile is not charged to the cluster.
   */
  turn?: (cluster: string) => Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };
export const discardQueue: Queue = { send: async () => {} };
