/** The backend's bounds on one batch: how many requests, and their summed cost (bytes). A request alone is always sent, whatever its cost. */
export interface BatchLimits<Request> {
  maxItems: number;
  maxCost: number;
  cost(request: Request): number;
}

/**
 * Group commit: while `parallel` batches are in flight, requests wait and go
 * together in the next one, so N concurrent writes cost about one round trip per
 * batch instead of one each; below that a request goes at once (no timer, no added
 * latency when idle). More than one batch may be in flight so that one stalled
 * request (a slow transaction) does not hold up every other write of its process.
 */
export class GroupCommit<Request, Result> {
  private queued: { request: Request; resolve(result: Result): void; reject(reason: unknown): void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly send: (batch: Request[]) => Promise<Result[]>,
    private readonly limits: BatchLimits<Request>,
    private readonly parallel = 2,
  ) {}

  run(request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queued.push({ request, resolve, reject });
      if (this.inFlight < this.parallel) void this.drain();
    });
  }

  /** One sender: it sends batches while requests are queued. */
  private async drain(): Promise<void> {
    this.inFlight++;
    while (this.queued.length) {
      const batch = [this.queued.shift()!];
      let cost = this.limits.cost(batch[0].request);
      for (let next = this.queued[0]; next && batch.length < this.limits.maxItems; next = this.queued[0]) {
        const added = this.limits.cost(next.request);
        if (cost + added > this.limits.maxCost) break;
        cost += added;
        batch.push(this.queued.shift()!);
      }
      try {
        const results = await this.send(batch.map((b) => b.request));
        batch.forEach((b, i) => b.resolve(results[i]));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.inFlight--;
  }
}
