/**
 * Each cluster starts at most `perTurn` (2) requests a turn of the event loop (the Node entry, where
 * every cluster's requests share one loop).
 *
 * Node's HTTP server runs a request's handler as soon as its headers are parsed, inside the read
 * of its socket, and a turn of the loop reads every socket that has data before anything else
 * runs. So requests that arrive together are served in the order their sockets were read: a
 * cluster sending a dozen cheap GETs at once puts a dozen handlers between another cluster's GET
 * and its answer, on every turn it does so. kube-apiserver's priority and fairness answers the
 * same problem with a queue per flow served in turn (fair queuing); this is that, with the turn
 * of the loop as the unit. A cluster's first two requests in a turn start at once, as before; its
 * others wait, and each later turn starts the oldest waiting request of each cluster, the
 * clusters in turn. So another cluster's GET waits for at most two of them, however many came.
 *
 * Starting at once matters: a turn also runs one slice of background work (nextTurn.ts: the
 * control plane's passes, a large write's steps), after the sockets are read. Measured, holding
 * every request for the turn's end put each behind such a slice, and the victim's p99 under a
 * burst of pod creates rose 2–3× instead of falling.
 *
 * Only a request's start is held here; its work past its first wait (a body being read, a slice
 * waiting for a turn of its own) is not.
 */
export class FairTurns {
  /** Each cluster's waiting starts, oldest first; the map's order is the ring (a served cluster goes to the back). */
  private readonly queues = new Map<string, Array<() => void>>();
  /** How many requests each cluster started since the last turn's end. */
  private readonly started = new Map<string, number>();
  private turnAsked = false;

  /**
   * @param perTurn how many requests a cluster starts at once in a turn: more than one, so a
   *   cluster's own requests that met in a slow turn (a client's 150 GETs a second, a turn held
   *   10 ms) do not wait behind that turn's background slice; few, so a burst waits for turns.
   */
  constructor(private readonly perTurn = 2, private readonly immediate: (callback: () => void) => unknown = setImmediate) {}

  /** Runs `work` now if `cluster` has started fewer than `perTurn` this turn, else on a later turn; settles as it does. */
  run<T>(cluster: string, work: () => T | Promise<T>): Promise<T> {
    const started = this.started.get(cluster) ?? 0;
    if (started < this.perTurn && !this.queues.has(cluster)) {
      this.started.set(cluster, started + 1);
      this.askTurn();
      return settle(work);
    }
    return new Promise<T>((resolve, reject) => {
      const start = () => { settle(work).then(resolve, reject); };
      const queue = this.queues.get(cluster);
      if (queue) queue.push(start);
      else this.queues.set(cluster, [start]);
      this.askTurn();
    });
  }

  /** Requests waiting for a turn (for tests). */
  get waiting(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  private askTurn(): void {
    if (this.turnAsked) return;
    this.turnAsked = true;
    this.immediate(this.endTurn);
  }

  /** The turn's end: every cluster may start `perTurn` again, and each one that has some waiting starts its oldest (counted as its first). */
  private readonly endTurn = (): void => {
    this.turnAsked = false;
    this.started.clear();
    const starts: Array<() => void> = [];
    for (const [cluster, queue] of [...this.queues]) {
      starts.push(queue.shift()!);
      this.started.set(cluster, 1);
      this.queues.delete(cluster);
      if (queue.length) this.queues.set(cluster, queue);
    }
    // Asked before the starts run: an immediate asked during this turn's immediates runs on the next turn, after the sockets are read again.
    if (this.started.size) this.askTurn();
    for (const start of starts) start();
  };
}

/** `work` run now, as a promise: a throw becomes its rejection. */
function settle<T>(work: () => T | Promise<T>): Promise<T> {
  try { return Promise.resolve(work()); } catch (err) { return Promise.reject(err); }
}
