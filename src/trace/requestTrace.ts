import type { ObjectRef, Span, Step, TraceRecord } from './types.ts';

/** Longer details are cut here, so one request's record stays small whatever it carried. */
const maxDetail = 400;

const clip = (s: string) => (s.length > maxDetail ? `${s.slice(0, maxDetail - 1)}…` : s);

/**
 * The steps of one request (or one scheduling decision) as they happen: each step of the
 * pipeline and of the registry's write appends a span with its timing. Made only where a
 * TraceSink is configured, and kept only in memory.
 */
export class RequestTrace {
  private readonly start = performance.now();
  readonly spans: Span[] = [];
  readonly revisions: number[] = [];
  /** What the request is about: set from the URL, completed (name, uid) by the store write. */
  object: ObjectRef | undefined;

  constructor(readonly source: TraceRecord['source'], readonly time: string) {}

  /** Milliseconds since the trace began: pass it back as `since` to time a step. */
  now(): number {
    return performance.now() - this.start;
  }

  add(step: Step, detail: string, options: { since?: number; name?: string; refused?: boolean; revision?: number } = {}): void {
    const at = this.now();
    const span: Span = { step, detail: clip(detail), at: round(options.since ?? at) };
    if (options.since !== undefined) span.ms = round(at - options.since);
    if (options.name) span.name = options.name;
    if (options.refused) span.refused = true;
    if (options.revision !== undefined) {
      span.revision = options.revision;
      this.revisions.push(options.revision);
    }
    this.spans.push(span);
  }

  /** Runs one step, recording it as done (`describe` of its result) or as the step that refused. */
  async step<T>(step: Step, name: string | undefined, run: () => T | Promise<T>, describe: (result: T) => string): Promise<T> {
    const since = this.now();
    try {
      const result = await run();
      this.add(step, describe(result), { since, ...(name ? { name } : {}) });
      return result;
    } catch (err) {
      this.add(step, err instanceof Error ? err.message : String(err), { since, refused: true, ...(name ? { name } : {}) });
      throw err;
    }
  }

  /** The store wrote the object: its name (a create's may be generated) and uid are now known. */
  wrote(namespace: string | undefined, name: string, uid: string | undefined): void {
    if (!this.object) return;
    this.object = { ...this.object, namespace: namespace ?? '', name, ...(uid ? { uid } : {}) };
  }

  finish(code?: number): TraceRecord | undefined {
    if (!this.object) return undefined;
    return { source: this.source, time: this.time, object: this.object, revisions: this.revisions, spans: this.spans, ...(code === undefined ? {} : { code }) };
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
