/**
 * Preloaded into each test file's process by `test/run.ts` (`--import`), before `node:test` loads.
 *
 * Node 20's test runner enables an async hook with `init` and `destroy` for the whole process
 * (internal/test_runner/harness.js), only to know which test an async resource belongs to (to
 * blame an uncaught error on it, and to nest a `test()` created inside another). Enabled, that
 * hook makes V8 report every promise: each one gets an async id, an `init` call and a weak
 * callback for its `destroy`. The servers our tests start run in the test's process, so every
 * promise of every request paid that: measured over a whole `npm test` under the CPU profiler,
 * the hook's callbacks, the per-promise destroy registration and the GC of their bookkeeping were
 * the largest single cost of the files' own processes.
 *
 * Here the runner's hook is never enabled. The runner's tests are still told to it, as they are
 * made (each `Test` is an AsyncResource of type 'Test'): a `describe` body and a test body run
 * inside their test's async scope, so `it()` and `before()` inside a `describe` nest as before.
 * What is given up: an uncaught error or unhandled rejection from a callback that is not a test's
 * own (a timer, a socket) is no longer traced back to the test that made it; it is reported at the
 * file's top level (its stack printed here), and the file fails all the same (exit code 1).
 *
 * If Node's runner no longer takes `createHook` from the public module this way, nothing is
 * changed: the hook is enabled as Node enables it.
 */
import asyncHooks from 'node:async_hooks';

type Init = (asyncId: number, type: string, triggerAsyncId: number, resource: object) => void;

const realCreateHook = asyncHooks.createHook;
let runnerInit: Init | undefined;

asyncHooks.createHook = function createHook(callbacks: asyncHooks.HookCallbacks): asyncHooks.AsyncHook {
  if (!runnerInit && callbacks.init && new Error().stack?.includes('internal/test_runner/harness')) {
    runnerInit = callbacks.init as Init;
    // The runner's own handler of unhandled rejections is added next (it fails the file): this one only prints
    // the reason's stack, which the runner's report leaves out.
    process.on('unhandledRejection', (reason) => { console.error('unhandled rejection:', reason); });
    const idle: asyncHooks.AsyncHook = { enable: () => idle, disable: () => idle };
    return idle;
  }
  return realCreateHook(callbacks);
};

/** What a test of the runner shows of itself (internal/test_runner/test.js). */
interface RunnerTest { name?: string; startTime?: unknown; endTime?: unknown }
/** Every test made, to name those still running when the file is stopped. */
const tests = new Set<RunnerTest>();

const RealAsyncResource = asyncHooks.AsyncResource;
/** An AsyncResource that tells the runner of each of its tests as it is made. */
class TestAwareResource extends RealAsyncResource {
  constructor(type: string, options?: number | asyncHooks.AsyncResourceOptions) {
    super(type, options);
    if (type !== 'Test') return;
    tests.add(this as RunnerTest);
    if (runnerInit) runnerInit(this.asyncId(), type, this.triggerAsyncId(), this);
  }
}
asyncHooks.AsyncResource = TestAwareResource;

// test/run.ts stops a file that runs past its time with SIGTERM: the tests it was in are named.
process.once('SIGTERM', () => {
  const running = [...tests].filter((t) => t.startTime != null && t.endTime == null && t.name !== '<root>');
  process.stderr.write(`\n# stopped while running: ${running.map((t) => t.name).join(' > ') || '(no test)'}\n`);
  process.exit(124);
});

// The runner then names such an error by its message only: its stack, printed here, says where it came
// from. (A monitor changes nothing of how the error is handled.)
process.on('uncaughtExceptionMonitor', (err) => { console.error('uncaught exception:', err); });
