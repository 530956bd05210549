import type { Clock, Queue, QueueMessage } from '../ports.ts';

/**
 * The Queue port in one process (Node entry, tests, benchmarks), with delivery
 * delays measured on the Clock port, as Cloudflare Queues' delaySeconds are.
 *
 * - live: timers deliver each message when it is due (timeScale shrinks delays
 *   to match a ScaledClock).
 * - manual: nothing moves until `drain()`, which delivers what is due and then
 *   advances a ManualClock to the next delayed message, until idle.
 *
 * Delivery is at least once: a failing handler gets the message again later.
 * Faults (drops, duplicates, reordering) are a decorator's job; `pick` lets a
 * test choose which due message goes next.
 */

export type MessageHandler = (message: QueueMessage) => Promise<void>;

/** A clock the queue may move (ManualClock). */
export interface AdvanceableClock extends Clock {
  advanceTo(ms: number): void;
}

export interface InProcessQueueOptions {
  clock: Clock;
  mode: 'live' | 'manual';
  /** Live mode: real milliseconds per clock millisecond (1 = real time). */
  timeScale?: number;
  /** Called when a handler throws; the message is retried until maxAttempts. */
  onError?: (error: unknown, message: QueueMessage) => void;
  maxAttempts?: number;
  /** Manual mode: index of the due message to deliver next (default 0, the oldest). */
  pick?: (dueCount: number) => number;
}

export interface DrainOptions {
  /** Stop advancing the clock beyond now + forMs (default: no limit). */
  forMs?: number;
  /** Safety bound on deliveries in one drain. */
  maxDeliveries?: number;
}

export interface DrainResult {
  delivered: number;
  /** True when nothing is left to deliver at all. */
  idle: boolean;
  pending: number;
}

interface Envelope {
  message: QueueMessage;
  dueAt: number;
  seq: number;
  attempts: number;
}

const retryDelayMs = 1_000;

function earliest(envelopes: Envelope[]): number {
  let min = Infinity;
  for (const e of envelopes) if (e.dueAt < min) min = e.dueAt;
  return min;
}

export class InProcessQueue implements Queue {
  private handler: MessageHandler | undefined;
  private pending: Envelope[] = [];
  /** Live mode: one timer, for the earliest pending message. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private seq = 0;
  private closed = false;
  private running = 0;
  /** Messages accepted by send(), for tests and benchmarks. */
  sent = 0;

  constructor(private readonly options: InProcessQueueOptions) {}

  get clock(): Clock {
    return this.options.clock;
  }

  async send(message: QueueMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.sent++;
    const delayMs = Math.max(0, (options.delaySeconds ?? 0) * 1000);
    this.enqueue({ message: structuredClone(message), dueAt: this.options.clock.now().getTime() + Math.round(delayMs), seq: this.seq++, attempts: 0 });
  }

  /** Registers the one consumer; messages sent before it arrive now. */
  consume(handler: MessageHandler): void {
    this.handler = handler;
    if (this.options.mode === 'live') this.arm();
  }

  /** Messages not yet delivered, plus handlers still running. */
  get size(): number {
    return this.pending.length + this.running;
  }

  private enqueue(envelope: Envelope): void {
    this.pending.push(envelope);
    if (this.options.mode === 'live') this.arm();
  }

  /**
   * Live mode: one timer for the earliest due message. When it fires, every due
   * message is handed over at once, in a batch as Cloudflare Queues deliver them,
   * so a consumer can fold a burst of events into one pass.
   */
  private arm(): void {
    if (!this.handler || this.closed || !this.pending.length) return;
    const next = earliest(this.pending);
    if (this.timer && next >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    const delay = Math.max(0, next - this.options.clock.now().getTime()) * (this.options.timeScale ?? 1);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      const now = this.options.clock.now().getTime();
      const due = this.pending.filter((e) => e.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
      this.pending = this.pending.filter((e) => e.dueAt > now);
      for (const envelope of due) void this.deliver(envelope);
      this.arm();
    }, Math.min(delay, 2 ** 31 - 1));
    // A far-off wake-up (a `sleep 3600` container) must not keep a process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async deliver(envelope: Envelope): Promise<void> {
    if (this.closed || !this.handler) return;
    this.running++;
    try {
      await this.handler(envelope.message);
    } catch (error) {
      this.options.onError?.(error, envelope.message);
      envelope.attempts++;
      if (envelope.attempts < (this.options.maxAttempts ?? 5)) {
        envelope.dueAt = this.options.clock.now().getTime() + retryDelayMs;
        this.enqueue(envelope);
      }
    } finally {
      this.running--;
    }
  }

  /**
   * Manual mode: delivers every due message (and what they send), then moves the
   * clock to the next delayed one, until nothing is left or a bound is reached.
   */
  async drain(options: DrainOptions = {}): Promise<DrainResult> {
    if (this.options.mode !== 'manual') throw new Error('drain() is for a manual-mode queue');
    const clock = this.options.clock as Partial<AdvanceableClock>;
    const horizon = options.forMs === undefined ? Infinity : clock.now!().getTime() + options.forMs;
    const max = options.maxDeliveries ?? 100_000;
    let delivered = 0;
    while (delivered < max && !this.closed) {
      const now = this.options.clock.now().getTime();
      const due = this.pending.filter((e) => e.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
      if (due.length) {
        const index = Math.min(due.length - 1, Math.max(0, this.options.pick?.(due.length) ?? 0));
        const envelope = due[index];
        this.pending.splice(this.pending.indexOf(envelope), 1);
        await this.deliver(envelope);
        delivered++;
        continue;
      }
      const next = earliest(this.pending);
      if (next > horizon || !clock.advanceTo) {
        // Time passes up to the horizon even when nothing is queued (a simulated idle hour).
        if (clock.advanceTo && Number.isFinite(horizon)) clock.advanceTo(horizon);
        break;
      }
      if (next === Infinity) break;
      clock.advanceTo(next);
    }
    return { delivered, idle: this.pending.length === 0, pending: this.pending.length };
  }

  /** Drops everything and stops delivering. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}
