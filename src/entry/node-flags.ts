/**
 * V8 flags every long-running server process of the Node entry starts with (`npm run start:node`,
 * each shard, the benches' servers).
 *
 * `--no-memory-reducer`: V8's memory reducer runs garbage collections of its own once the
 * allocation rate drops (a quiet moment after a busy one: a student's burst ending), and such a
 * collection throws away the optimized code of the functions every request runs (measured: the
 * next ~20 s of requests cost twice the CPU, p99 5 → 12-15 ms, while TurboFan compiles them again;
 * a collection the heap's growth starts does not). On a server shared by a class, one tenant's
 * burst would so slow every other tenant after it. Without the reducer the heap is collected as
 * it fills, as before, and is not shrunk at idle: its size stays bounded by the byte budgets.
 * The flag must be on the command line: set at run time it comes too late for the heap.
 */
export const serverNodeFlags: readonly string[] = ['--no-memory-reducer'];
