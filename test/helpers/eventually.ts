/**
 * The pause before the next probe: quick at first, then backing off to a second (reached after
 * ~3 s of waiting). A probe is often a kubectl process (~0.11 CPU-s each, plus the server's work)
 * and the suite shares two cores: a third of the suite's kubectl processes were such repeats,
 * most of them in waits of many seconds (a probe's restart, a backoff) on the real-time entries.
 */
const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(1000, 100 * 1.5 ** attempt)));

/**
 * Polls until `ok(probe())` holds. The bound is a safety net that turns a hang
 * into a failure, not a timing assertion.
 */
export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  for (let attempt = 0; !ok(last); attempt++) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen:\n${typeof last === 'string' ? last : JSON.stringify(last, null, 2)}`);
    await pause(attempt);
    last = await probe();
  }
  return last;
}

/** Retries `check` (which throws while its assertions fail) until it passes; the bound turns a hang into its last failure. */
export async function eventuallyPasses<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await pause(attempt);
    }
  }
}
