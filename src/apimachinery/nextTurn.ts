/**
 * Resolves on a later turn of the event loop, after the I/O that has arrived meanwhile has
 * been read. A promise alone resolves in the same turn (a microtask), so expensive requests
 * queued one behind another would run back to back and hold the loop for all of them; an
 * expensive request that waits for the next turn first lets every request already received
 * (another cluster's cheap GET) be served before it.
 *
 * Waiters are let go one per turn, in the order they asked: a turn of the loop then holds at most
 * one slice of expensive work between two reads of the sockets. Each waiter resolved with a turn
 * of its own (Node runs every immediate due in one turn back to back) made a turn as long as
 * all of them: a dozen expensive requests and a control-plane pass that all asked at once held
 * every other cluster's requests for their sum.
 *
 * Node only (`setImmediate`, not on Workers even where nodejs_compat gives it). Elsewhere (workerd,
 * where each cluster has its own object anyway) each waiter has a zero timer of its own: a queue
 * shared by the isolate would resolve one object's promise from another's request, which workerd
 * does not promise to settle.
 */
const onWorkers = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';
const immediate = onWorkers ? undefined : (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
const waiters: Array<() => void> = [];
let turnAsked = false;

function letOneGo(): void {
  turnAsked = false;
  const next = waiters.shift();
  // Asked for before the waiter runs: an immediate asked for during this turn's immediates runs on the next turn.
  if (waiters.length) askTurn();
  next?.();
}

function askTurn(): void {
  if (turnAsked || !immediate) return;
  turnAsked = true;
  immediate(letOneGo);
}

export function nextTurn(): Promise<void> {
  if (!immediate) return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    waiters.push(resolve);
    askTurn();
  });
}

/**
 * Slices long work made of many small steps (a new cluster's few hundred objects): `await pace()`
 * before each step gives the loop back for a turn once the steps since the last turn have run
 * `budgetMs`, so requests that arrived meanwhile (other clusters') wait at most about that long.
 * Shared by concurrent callers: they wait for the same turn and then share the next budget,
 * rather than each taking a budget of its own in the same turn. The budget is wall time since the
 * last turn given back: where the steps wait on I/O anyway (a remote store) a yield is one more
 * turn of a few microseconds.
 */
export interface Pacer {
  (): Promise<void>;
  /** The budget, in ms (settable: a test sets 0 to make every step wait for a turn of its own). */
  budgetMs: number;
}

export function turnPacer(budgetMs: number, now: () => number = () => performance.now()): Pacer {
  let since = now();
  let waiting: Promise<void> | undefined;
  const pace = (() => {
    if (waiting) return waiting;
    if (now() - since < pace.budgetMs) return Promise.resolve();
    waiting = nextTurn().then(() => {
      waiting = undefined;
      since = now();
    });
    return waiting;
  }) as Pacer;
  pace.budgetMs = budgetMs;
  return pace;
}

/**
 * The process's pacer for work no request waits on turn by turn, which on a memory store never
 * waits by itself: a new cluster's content and the control plane's passes (a new cluster made
 * back to back held the loop every cluster shares 55–67 ms; paced, 11–20 ms, measured).
 */
export const backgroundPace = turnPacer(4);
