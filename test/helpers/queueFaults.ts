import type { Queue } from '../../src/ports.ts';

/** What can go wrong between a producer and its consumers, as probabilities per message. */
export interface Faults {
  drop?: number;
  duplicate?: number;
  /** Extra delay of up to maxDelaySeconds, with this probability (reorders messages). */
  delay?: number;
  maxDelaySeconds?: number;
}

export interface FaultCounts { sent: number; dropped: number; duplicated: number; delayed: number }

/** A seeded PRNG (mulberry32): the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A Queue decorator that drops, duplicates and delays messages: queues deliver
 * at least once, late and out of order, and sometimes (a lost event, a bug) not
 * at all. The control plane must end in the same state anyway; resync covers the drops.
 */
export function faultyQueue(inner: Queue, faults: Faults, random: () => number): Queue & { counts: FaultCounts } {
  const counts: FaultCounts = { sent: 0, dropped: 0, duplicated: 0, delayed: 0 };
  const maxDelay = faults.maxDelaySeconds ?? 5;
  const jitter = (base: number | undefined) => {
    if (random() >= (faults.delay ?? 0)) return base;
    counts.delayed++;
    return (base ?? 0) + Math.floor(random() * maxDelay * 1000) / 1000;
  };
  return {
    counts,
    async send(message, options = {}) {
      counts.sent++;
      if (random() < (faults.drop ?? 0)) { counts.dropped++; return; }
      await inner.send(message, { ...options, delaySeconds: jitter(options.delaySeconds) });
      if (random() < (faults.duplicate ?? 0)) {
        counts.duplicated++;
        await inner.send(message, { ...options, delaySeconds: jitter(options.delaySeconds) });
      }
    },
  };
}

/** Every message twice: once as sent, once again up to `maxExtraSeconds` later (at least once, late and reordered). */
export function everyMessageTwice(inner: Queue, random: () => number, maxExtraSeconds = 3): Queue {
  return {
    async send(message, options = {}) {
      await inner.send(message, options);
      await inner.send(message, { ...options, delaySeconds: (options.delaySeconds ?? 0) + Math.floor(random() * maxExtraSeconds * 1000) / 1000 });
    },
  };
}
