import { Worker } from 'node:worker_threads';
import type { DocumentDecoder } from '../ports.ts';
import { ApiError, type StatusDetails, type StatusReason } from '../apimachinery/errors.ts';
import { putLongStrings, type LongString } from './longStrings.ts';

/**
 * What the thread answers for one body: the document (its long strings, if any, apart in pieces:
 * longStrings.ts), the ApiError decodeDocument threw, or a failure of its own.
 */
export type DocumentAnswer =
  | { id: number; document: unknown; long?: LongString[] }
  | { id: number; error: { code: number; reason: StatusReason; message: string; details?: StatusDetails } }
  | { id: number; failure: string }
  | { id: number; collected: true };

/** What the thread is asked: one body, as the pieces it arrived in; or to collect its garbage. */
export type DocumentQuestion =
  | { id: number; chunks: Uint8Array[]; contentType: string | null; into: string | undefined }
  | { id: number; collect: true };

/**
 * The Node entry's DocumentDecoder: a worker thread that reads a large body as text, parses it and
 * checks its nesting (decodeDocument, the same code as on the loop), so the loop every cluster
 * shares only takes the document back. A 3 MiB body read and parsed on the loop is four stretches
 * of ~10 ms (joining it, reading it as text, parsing, its strings allocated fresh each time), and
 * a cheap GET that arrives meanwhile waits for the stretch under way; here the thread pays them,
 * and it runs at a lower priority than the loop (nice 10), so a core the two share goes to the
 * loop's requests first. The thread starts with the first large body, does not keep the process
 * alive, and one that stops (out of memory on a hostile document) fails only the bodies it held:
 * the next large body starts another.
 */
export class DocumentThread implements DocumentDecoder {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(document: unknown): void; reject(err: Error): void }>();
  /** How many bodies the thread has answered (tests tell a body decoded here from one decoded on the loop). */
  answered = 0;

  constructor(private readonly options: { maxHeapMb?: number } = {}) {}

  decode(chunks: Uint8Array[], contentType: string | null, into: string | undefined): Promise<unknown> {
    // The pieces are the body's own copies (readBodyChunks): their memory moves, nothing is copied.
    return this.ask({ id: 0, chunks, contentType, into }, chunks.map((c) => c.buffer as ArrayBuffer));
  }

  /**
   * Collects the thread's garbage, where the process runs with `--expose-gc` (V8's flags hold for
   * every thread): the bench reads the server's RSS after a forced collection of each of its heaps.
   */
  async collectGarbage(): Promise<void> {
    if (this.worker) await this.ask({ id: 0, collect: true }, []);
  }

  private ask(question: DocumentQuestion, transfer: ArrayBuffer[]): Promise<unknown> {
    const worker = this.worker ?? this.start();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...question, id }, transfer);
    });
  }

  /** Stops the thread (tests; a server that exits needs nothing). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(threadSource(), { eval: true, resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 512 } });
    worker.unref();
    worker.on('message', (answer: DocumentAnswer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if ('collected' in answer) { waiting.resolve(undefined); return; }
      this.answered++;
      if ('document' in answer) waiting.resolve(answer.long ? putLongStrings(answer.document, answer.long) : answer.document);
      else if ('error' in answer) waiting.reject(new ApiError(answer.error.code, answer.error.reason, answer.error.message, answer.error.details));
      else waiting.reject(new Error(`decoding a request body failed: ${answer.failure}`));
    });
    const stopped = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const w of waiting) w.reject(new Error(`the document thread stopped: ${why}`));
    };
    worker.on('error', (err) => stopped(err.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }
}

/**
 * The thread's program: documentThreadMain. Run from TypeScript source (tsx, as every Node entry
 * runs here), the thread registers tsx's loader first: a worker thread does not inherit the
 * loader the process was started with.
 */
function threadSource(): string {
  const main = new URL('./documentThreadMain.ts', import.meta.url).href;
  const loader = main.endsWith('.ts') ? `await (await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})).register();` : '';
  return `(async () => { ${loader} await import(${JSON.stringify(main)}); })();`;
}
