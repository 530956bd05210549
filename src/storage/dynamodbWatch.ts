import { BufferedWatcher } from './memory.ts';
import { ClusterGoneError, CompactedError, type StoreEvent, type Watcher } from './store.ts';
import type { LogEntry } from './dynamodbItems.ts';

/** What a polling watcher needs from a cluster's change log. */
export interface ChangeLog {
  /**
   * Log entries with revision > after, in revision order (possibly with holes), at most `limit`.
   * Throws ClusterGoneError if an entry was written by another incarnation of the cluster.
   */
  read(after: number, limit: number): Promise<LogEntry[]>;
  /** The compacted revision (one read of the meta item); throws ClusterGoneError unless the cluster is still the one followed. */
  check(): Promise<number>;
  /** Makes each revision final: afterwards it holds either its committed write or a VOID marker. */
  voidRevisions(revisions: number[]): Promise<void>;
}

export interface PollOptions {
  pollIntervalMs: number;
  /** How long a hole may stay open before the watcher voids it (see DynamoClusterStore). */
  gapGraceMs: number;
  pageSize?: number;
  /** How often a watcher that finds nothing suspicious in the log reads the meta item to learn that its cluster was dropped. */
  liveCheckMs?: number;
  /** Called once when the watch stops, whatever the reason. */
  onStop?: () => void;
}

/**
 * A watch that follows the change log by polling it. It delivers only the
 * contiguous run of revisions after its cursor: a hole (a revision handed out
 * whose write has not landed yet) stops delivery until the write commits or the
 * hole is voided, so a write that commits late is never skipped and events come
 * in revision order.
 *
 * The watch ends with ClusterGoneError when its cluster is dropped: at once if
 * the log shows an entry of another incarnation (the cluster was created again
 * and its revisions passed the cursor), else within `liveCheckMs`.
 */
export class PollingWatcher implements Watcher {
  /** Buffering, iteration and failure are the memory store's; this class only feeds it. */
  private readonly out = new BufferedWatcher(() => this.stop());
  private closed = false;
  private sleeper: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | null = null;

  constructor(
    private readonly log: ChangeLog,
    private readonly prefix: string,
    private cursor: number,
    private readonly options: PollOptions,
  ) {
    void this.follow();
  }

  close(): void {
    this.out.close();
  }

  /** Ends the watch with an error (the store saw its cluster dropped). */
  end(err: Error): void {
    this.out.fail(err);
  }

  takeBuffered(): StoreEvent[] {
    return this.out.takeBuffered();
  }

  [Symbol.asyncIterator](): AsyncIterator<StoreEvent> {
    return this.out[Symbol.asyncIterator]();
  }

  private stop(): void {
    if (!this.closed) this.options.onStop?.();
    this.closed = true;
    if (this.sleeper) { clearTimeout(this.sleeper.timer); this.sleeper.resolve(); }
  }

  private push(event: StoreEvent): void {
    this.out.push(event);
  }

  private fail(err: Error): void {
    this.out.fail(err);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.sleeper = { timer: setTimeout(() => { this.sleeper = null; resolve(); }, ms), resolve };
    });
  }

  private async follow(): Promise<void> {
    const pageSize = this.options.pageSize ?? 500;
    let hole: { revision: number; seenAt: number } | null = null;
    let transientFailures = 0;
    const liveCheckMs = this.options.liveCheckMs ?? 1000;
    let checkedAt = Date.now();
    try {
      const compacted = await this.log.check();
      // Revision 0 means "from the oldest retained entry", as with the memory store.
      if (this.cursor > 0 && this.cursor < compacted) throw new CompactedError(this.cursor, compacted);
      this.cursor = Math.max(this.cursor, 0) || compacted;
    } catch (err) {
      return this.fail(err as Error);
    }
    while (!this.closed) {
      let entries: LogEntry[];
      try {
        entries = await this.log.read(this.cursor, pageSize);
        transientFailures = 0;
      } catch (err) {
        if (err instanceof ClusterGoneError) return this.fail(err);
        // A throttled or failed poll is retried; a watch only ends when it is closed, compacted away or its cluster is gone.
        if (++transientFailures > 20) return this.fail(err as Error);
        await this.sleep(this.options.pollIntervalMs * 2);
        continue;
      }
      if (this.closed) return;
      let i = 0;
      for (; i < entries.length && entries[i].revision <= this.cursor + 1; i++) {
        const { revision, event } = entries[i];
        if (revision <= this.cursor) continue;
        if (event && event.kv.key.startsWith(this.prefix)) this.push(event);
        this.cursor = revision;
      }
      if (i < entries.length) {
        // entries[i] is beyond a hole at cursor + 1.
        try {
          const now = Date.now();
          if (!hole || hole.revision !== this.cursor + 1) {
            hole = { revision: this.cursor + 1, seenAt: now };
            await this.checkCompaction();
          } else if (now - hole.seenAt >= this.options.gapGraceMs) {
            await this.checkCompaction();
            const missing: number[] = [];
            for (let r = this.cursor + 1; r < entries[i].revision; r++) missing.push(r);
            await this.log.voidRevisions(missing);
            continue; // re-read at once: the hole is now filled one way or the other
          }
        } catch (err) {
          if (err instanceof CompactedError || err instanceof ClusterGoneError) return this.fail(err);
        }
        await this.sleep(Math.min(this.options.pollIntervalMs, this.options.gapGraceMs / 4));
        continue;
      }
      hole = null;
      if (Date.now() - checkedAt >= liveCheckMs) {
        checkedAt = Date.now();
        try {
          // Compacted past the cursor (a restore does that to a quiet log too): the watch cannot go on.
          const compacted = await this.log.check();
          if (compacted > this.cursor) return this.fail(new CompactedError(this.cursor, compacted));
        } catch (err) {
          if (err instanceof ClusterGoneError) return this.fail(err);
          // anything else: the next check will tell
        }
        if (this.closed) return;
      }
      if (entries.length < pageSize) await this.sleep(this.options.pollIntervalMs);
    }
  }

  /** A hole below the compacted revision is compaction, not a write in flight: the watch cannot continue. */
  private async checkCompaction(): Promise<void> {
    const compacted = await this.log.check();
    if (compacted > this.cursor) throw new CompactedError(this.cursor, compacted);
  }
}
