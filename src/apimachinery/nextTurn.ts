/**
 * Resolves on a later turn of the event loop, after the I/O that has arrived meanwhile has
 * been read. A promise alone resolves in the same turn (a microtask), so expensive requests
 * queued one behind another would run back to back and hold the loop for all of them; an
 * expensive request that waits for the next turn first lets every request already received
 * (another cluster's cheap GET) be served before it. `setImmediate` where the runtime has
 * it (Node), a zero timer elsewhere (workerd, where each cluster has its own object anyway).
 */
export function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}
