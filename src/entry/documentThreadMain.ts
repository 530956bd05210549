import { parentPort } from 'node:worker_threads';
import { setPriority } from 'node:os';
import { ApiError } from '../apimachinery/errors.ts';
import { concat, decodeDocument } from '../server/codec.ts';
import type { DocumentAnswer, DocumentQuestion } from './documentThread.ts';
import { takeLongStrings } from './longStrings.ts';

/**
 * The document thread (documentThread.ts): each body it is handed, decoded as the loop would.
 * On Linux a thread's nice value is its own: this one yields a shared core to the event loop.
 */
try { setPriority(10); } catch { /* not permitted: the default priority */ }

parentPort!.on('message', (question: DocumentQuestion) => {
  const id = question.id;
  if ('collect' in question) {
    (globalThis as { gc?: () => void }).gc?.();
    parentPort!.postMessage({ id, collected: true } satisfies DocumentAnswer);
    return;
  }
  let answer: DocumentAnswer;
  try {
    // Long strings go back in pieces (longStrings.ts): received whole, each would cost the loop its page faults.
    const { document, long } = takeLongStrings(decodeDocument(concat(question.chunks), question.contentType, question.into));
    answer = long.length ? { id, document, long } : { id, document };
  } catch (err) {
    answer = err instanceof ApiError
      ? { id, error: { code: err.code, reason: err.reason, message: err.message, details: err.details } }
      : { id, failure: (err as Error)?.message ?? String(err) };
  }
  parentPort!.postMessage(answer);
});
