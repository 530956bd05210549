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

/**
 * V8 flags of the sharded entry's front (`SHARDS=N npm run start:node`), the one process every
 * cluster's requests pass through: it terminates their TLS and relays them, and allocates ~30 KB
 * of short-lived heap per request, so its young generation filled and was scavenged many times a
 * second under load, each pause holding every tenant's requests. A young generation twice the
 * default (32 MiB semi-spaces) and an old space that starts at 64 MiB make those collections
 * rarer: measured under the attacks bench's pod-create and 3 MiB attacks, the front's GC pauses
 * over 2 ms fell from 130-140 ms to 23-41 ms per run, and the victim's pooled p99 ratio under pod
 * create was 1.32-1.43x in four runs with them, 1.19-2.78x in four without. The cost is memory,
 * not CPU: after 320 writes of 900 KB and 2,000 reads through it the front's RSS was 193-198 MiB,
 * against 172-188 MiB without them. V8 reads them only on the command line
 * (v8.setFlagsFromString comes too late for the heap), so start.ts starts the front again with them.
 */
export const frontNodeFlags: readonly string[] = ['--max-semi-space-size=32', '--initial-old-space-size=64'];
