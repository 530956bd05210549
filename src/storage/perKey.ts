import type { KeyValue } from './store.ts';

/**
 * What one process does and knows per key, to spare DynamoDB round trips
 * without weakening consistency (used by the DynamoDB store).
 */

/** Readers waiting for the next read of a key. */
export interface Waiters<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function waiters<T>(): Waiters<T> {
  let resolve!: (value: T) => void, reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/**
 * Coalesces concurrent reads of a key without ever answering stale: a caller
 * never joins a read that was sent before it asked. With a read in flight, new
 * callers wait together for one read sent when it returns.
 *
 * A writer of the key may take those waiters over (`takeWaiters`) just before it
 * sends its write, and answer them with the record it committed: every one of
 * them asked before the write was sent, so the write took effect while they
 * were waiting, and returning its record is a linearizable read. The writer
 * must settle them whatever happens to its write.
 */
export class ReadCoalescer<T> {
  private inFlight = new Map<string, Promise<T>>();
  private waiting = new Map<string, Waiters<T>>();

  run(key: string, read: () => Promise<T>): Promise<T> {
    const waiting = this.waiting.get(key);
    if (waiting) return waiting.promise;
    const inFlight = this.inFlight.get(key);
    if (!inFlight) return this.launch(key, read);
    const next = waiters<T>();
    this.waiting.set(key, next);
    const sendNext = () => {
      if (this.waiting.get(key) !== next) return; // taken over by a writer
      this.waiting.delete(key);
      this.launch(key, read).then(next.resolve, next.reject);
    };
    inFlight.then(sendNext, sendNext);
    return next.promise;
  }

  takeWaiters(key: string): Waiters<T> | undefined {
    const taken = this.waiting.get(key);
    this.waiting.delete(key);
    return taken;
  }

  private launch(key: string, read: () => Promise<T>): Promise<T> {
    const promise: Promise<T> = read().finally(() => {
      if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
    });
    this.inFlight.set(key, promise);
    return promise;
  }
}

/**
 * What this process last saw of each key: its record, or the revision that
 * deleted it. A (key, modRevision) pair names one immutable record, so an
 * update whose expected revision matches takes its prevKv from here instead of
 * reading it again (the transaction still checks the revision in DynamoDB). And
 * a compare-and-swap on a revision older than one seen here cannot succeed, so
 * it need not spend a revision and a transaction to find that out.
 */
export class SeenRecords {
  private entries = new Map<string, { revision: number; kv?: KeyValue }>();
  constructor(private readonly max = 2000) {}

  at(key: string, modRevision: number): KeyValue | undefined {
    const kv = this.entries.get(key)?.kv;
    return kv && kv.modRevision === modRevision ? kv : undefined;
  }

  /** True if this process saw the key at a revision after `revision`. */
  newerThan(key: string, revision: number): boolean {
    return (this.entries.get(key)?.revision ?? 0) > revision;
  }

  remember(kv: KeyValue): void {
    this.set(kv.key, { revision: kv.modRevision, kv });
  }

  deleted(key: string, revision: number): void {
    this.set(key, { revision });
  }

  /** Replaces what was seen even with an older revision (the cluster was dropped and recreated elsewhere). */
  reset(kv: KeyValue): void {
    this.entries.delete(kv.key);
    this.remember(kv);
  }

  private set(key: string, entry: { revision: number; kv?: KeyValue }): void {
    // A read that started before a write can finish after it: never go back.
    if ((this.entries.get(key)?.revision ?? 0) > entry.revision) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Runs tasks for one key one at a time (in this process); other keys are not held up. */
export class KeyedQueue {
  private tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task, task);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return result;
  }
}
