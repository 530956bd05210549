/** What `withinDeadline` answers when the work did not settle in time. */
export const late: unique symbol = Symbol('late');

/**
 * The work's outcome, or `late` when it has not settled within `ms`: the caller goes on and the
 * work is left to settle unawaited (a later rejection is absorbed by the race, not unhandled).
 * The timer is cleared either way, so nothing is left to keep a process alive.
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof late> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<typeof late>((resolve) => { timer = setTimeout(() => resolve(late), ms); });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
