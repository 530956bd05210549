/**
 * `npm test`: type-checks and runs every test file (built once to JavaScript), several at once, with one
 * workerd (the Worker, under Miniflare) and one DynamoDB Local shared by the whole run (each test takes
 * a cluster or tables of its own on them). Booting workerd or a JVM costs
 * seconds of CPU on a 2-core machine; a fresh cluster costs one request.
 *
 *   node --import tsx test/run.ts [test/x.test.ts ...]
 *
 * TEST_CONCURRENCY sets how many files run at once. Each file's output (node's
 * spec reporter) is printed whole when it ends, so files never interleave; a
 * summary with every file's time closes the run. The exit code is non-zero if
 * the type check or any file fails. The servers are stopped however the run ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sharedDynamoDBVariable, startDynamoDBLocal, type DynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { kubectlBinary } from '../harness/kubectl.ts';
import { sharedWorkerVariable, sharedWorkerVars } from './helpers/sharedWorker.ts';
import { startWorker, workerBundleVariable, type TestWorker } from '../harness/worker.ts';
import { bundleWorker } from '../src/entry/miniflare-dev.ts';
import { bundleTests } from './bundleTests.ts';
import { builtCliVariable } from './helpers/cli.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const concurrency = Number(process.env.TEST_CONCURRENCY) || Math.max(2, availableParallelism() * 2);

/** Last run's seconds per file, so the slowest start first; a clean checkout falls back to `expectedSeconds`. */
const cacheDir = join(root, 'node_modules', '.cache', 'apiserverless');
/** Preloaded into every file's process (see the file). */
const runnerHooks = 'test/helpers/testRunnerHooks.ts';
const durationsFile = join(cacheDir, 'test-durations.json');
const callsDir = join(cacheDir, 'kubectl-calls');
/** A test file's name as a file name of its own (`e2e-core-node.test.ts`, `scenarios_x.ts`), for what the run keeps of it. */
const stemOf = (file: string) => relative(join(root, 'test'), join(root, file)).replace(/[^A-Za-z0-9.-]/g, '_');
const callsFile = (file: string) => join(callsDir, `${stemOf(file)}.txt`);

/** Rough seconds alone on a 2-core machine, for the first run; the files not named here are quick. */
const expectedSeconds: Record<string, number> = {
  'bad-input.test.ts': 60, 'e2e-tenancy-worker.test.ts': 60, 'e2e-tenancy-node.test.ts': 45, 'e2e-tenancy-dynamodb.test.ts': 60, 'watch-fanout.test.ts': 45,
  'concurrency.test.ts': 40, 'front-door.test.ts': 35, 'crash.test.ts': 35, 'quotas.test.ts': 30, 'e2e-controlplane.test.ts': 30,
  'storage-durable-object.test.ts': 30, 'storage-dynamodb.test.ts': 30, 'e2e-depth.test.ts': 25,
  // Mostly waiting in real time (a stopped kubelet's 40 s grace period, kube-apiserver's etcd timeout), little CPU.
  'e2e-teach-worker.test.ts': 190,
};

interface FileResult { file: string; code: number; seconds: number; cpuSeconds?: number; kubectlCalls: number; output: string }

/** GNU time, when the machine has it, counts each file's CPU (its node processes and every kubectl it ran). */
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const children = new Set<ChildProcess>();
/** What the shared workerd printed (the Worker's console, uncaught errors), shown when a file failed. */
const serverLog: string[] = [];
let worker: TestWorker | undefined;
let bundleDir: string | undefined;
/** The built test files: under node_modules, so their imports of packages resolve as the sources' do. */
let testsDir: string | undefined;
let dynamodb: DynamoDBLocal | undefined;

async function main(): Promise<number> {
  const files = process.argv.slice(2).length ? process.argv.slice(2) : readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => join('test', f));
  const typecheck = run(join(root, 'node_modules', '.bin', 'tsc'), ['--noEmit'], process.env);
  kubectlBinary(); // unpacked once here rather than raced for by every file
  // The test files are built to JavaScript once (test/bundleTests.ts): loading them through tsx cost each file ~2 CPU-seconds.
  mkdirSync(cacheDir, { recursive: true });
  for (const file of files) rmSync(callsFile(file), { force: true });
  mkdirSync(callsDir, { recursive: true });
  testsDir = mkdtempSync(join(cacheDir, 'tests-'));
  const built = await bundleTests(root, files, testsDir, { 'src/cli/bin.ts': 'apiserverless-cli', [runnerHooks]: 'test-runner-hooks' });
  // The Worker is bundled once, as `wrangler deploy` bundles it; every file that starts a workerd of its own reuses it.
  const bundle = await bundleWorker(mkdtempSync(join(tmpdir(), 'apiserverless-bundle-')));
  process.env[workerBundleVariable] = bundle;
  bundleDir = dirname(bundle);
  const [w, d] = await Promise.all([startWorker({ vars: sharedWorkerVars, log: (line) => { serverLog.push(line); if (serverLog.length > 400) serverLog.splice(0, 200); } }), startDynamoDBLocal()]);
  worker = w;
  dynamodb = d;
  const env = { ...process.env, [sharedWorkerVariable]: worker.url, [sharedDynamoDBVariable]: dynamodb.endpoint, [builtCliVariable]: built.get('src/cli/bin.ts')! };
  console.log(`# ${files.length} files, ${concurrency} at a time; shared workerd ${worker.url}, DynamoDB Local ${dynamodb.endpoint}`);

  const results = await pool(slowestFirst(files), concurrency, async (file) => {
    const started = performance.now();
    // Each file runs as a plain process, its tests reported by the spec reporter: under `--test`, Node ran it as a
    // child of a second process (~0.2 CPU-s more a file). A file still running after ten minutes is stopped (a
    // test that hangs fails with its name, printed by the preload, instead of holding the run until CI's limit).
    // TEST_NODE_ARGS adds flags to each file's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, to see where a file's CPU goes).
    // The test runner's async hook is left off (test/helpers/testRunnerHooks.ts): TEST_RUNNER_HOOKS=node keeps Node's own.
    const hooks = process.env.TEST_RUNNER_HOOKS === 'node' ? [] : ['--import', pathToFileURL(built.get(runnerHooks)!).href];
    const args = [...(process.env.TEST_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...hooks, '--enable-source-maps', '--test-reporter=spec', built.get(file)!];
    const cpuFile = gnuTime ? join(testsDir!, `${stemOf(file)}.cpu`) : undefined;
    // Kept after the run (node_modules/.cache/apiserverless/kubectl-calls/), to see which commands a file repeats.
    const fileEnv = { ...env, KUBECTL_CALLS_FILE: callsFile(file) };
    const out = cpuFile ? await run(gnuTime!, ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args], fileEnv, fileTimeoutMs) : await run(process.execPath, args, fileEnv, fileTimeoutMs);
    const result: FileResult = { file, code: out.code, seconds: (performance.now() - started) / 1000, cpuSeconds: cpuFile ? cpuOf(cpuFile) : undefined, kubectlCalls: linesOf(fileEnv.KUBECTL_CALLS_FILE), output: out.output };
    process.stdout.write(`\n# ${result.code === 0 ? 'ok' : 'FAILED'} ${file} (${result.seconds.toFixed(1)} s)\n${out.output}`);
    return result;
  });
  const checked = await typecheck;
  if (checked.code !== 0) process.stdout.write(`\n# FAILED tsc --noEmit\n${checked.output}`);
  remember(results);
  if (results.some((r) => r.code !== 0) && serverLog.length) console.log(`\n# the shared workerd said (last ${Math.min(serverLog.length, 200)} lines):\n${serverLog.slice(-200).join('\n')}`);
  summarize(results, checked.code);
  repeatFailures(results);
  return checked.code === 0 && results.every((r) => r.code === 0) ? 0 : 1;
}

/** Signals a child's process group (each file runs in a group of its own), or the child alone if it has none. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try { process.kill(-child.pid!, signal); } catch { child.kill(signal); }
}

/** How long a test file may run (TEST_FILE_TIMEOUT, seconds; ten minutes). */
const fileTimeoutMs = (Number(process.env.TEST_FILE_TIMEOUT) || 600) * 1000;

/**
 * Runs a command to its end, its stdout and stderr kept together in the order they came. Past
 * `timeoutMs` its process group is sent SIGTERM (the test file's preload names the tests it was
 * in), then SIGKILL, and it fails.
 */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // A group of its own, so an interrupted run can stop the file's whole tree (GNU time does not pass signals on).
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    let output = '', timedOut = false, killer: NodeJS.Timeout | undefined;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      output += `\n# still running after ${timeoutMs / 1000} s: stopped\n`;
      signalGroup(child, 'SIGTERM');
      killer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
    }, timeoutMs);
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', (err) => (output += `${err.message}\n`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      children.delete(child);
      resolve({ code: timedOut ? 1 : code ?? (signal ? 128 : 1), output });
    });
  });
}

/** User plus system seconds from GNU time's `-o` file (its last line; a killed child's file has a note above it). */
function cpuOf(path: string): number | undefined {
  try {
    const [user, system] = readFileSync(path, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    return Number.isFinite(user + system) ? user + system : undefined;
  } catch { return undefined; }
}

function linesOf(path: string): number {
  try { return readFileSync(path, 'utf8').split('\n').length - 1; } catch { return 0; }
}

/** Runs `task` over `items` with at most `limit` at once, results in the order given. */
async function pool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function recorded(): Record<string, number> {
  try { return JSON.parse(readFileSync(durationsFile, 'utf8')) as Record<string, number>; } catch { return {}; }
}

/** Longest first: the long files overlap with everything else instead of ending the run alone. */
function slowestFirst(files: string[]): string[] {
  const last = recorded();
  const name = (f: string) => relative(join(root, 'test'), join(root, f));
  const estimate = (f: string) => last[name(f)] ?? expectedSeconds[name(f)] ?? 5;
  return [...files].sort((a, b) => estimate(b) - estimate(a));
}

function remember(results: FileResult[]): void {
  const durations = recorded();
  for (const r of results) if (r.code === 0) durations[relative(join(root, 'test'), join(root, r.file))] = Math.round(r.seconds);
  try {
    mkdirSync(dirname(durationsFile), { recursive: true });
    writeFileSync(durationsFile, JSON.stringify(durations, null, 1));
  } catch { /* only an ordering hint */ }
}

function summarize(results: FileResult[], tscCode: number): void {
  const cpu = (r: FileResult) => (r.cpuSeconds === undefined ? '' : `${r.cpuSeconds.toFixed(1).padStart(7)} CPU-s`);
  console.log('\n# file times (seconds, with the others running beside them; CPU-seconds of the file and the processes it ran; kubectl processes)');
  for (const r of [...results].sort((a, b) => b.seconds - a.seconds)) console.log(`# ${r.seconds.toFixed(1).padStart(6)}  ${cpu(r)} ${String(r.kubectlCalls).padStart(5)} kubectl  ${r.code === 0 ? 'ok    ' : 'FAILED'}  ${r.file}`);
  const counted = results.filter((r) => r.cpuSeconds !== undefined);
  const calls = results.reduce((sum, r) => sum + r.kubectlCalls, 0);
  if (counted.length) console.log(`# the files' CPU: ${counted.reduce((sum, r) => sum + r.cpuSeconds!, 0).toFixed(0)} CPU-s, ${calls} kubectl processes (the shared servers and the type check not counted)`);
  const failed = results.filter((r) => r.code !== 0).map((r) => r.file);
  if (tscCode !== 0) failed.unshift('tsc --noEmit');
  console.log(failed.length ? `# FAILED: ${failed.join(', ')}` : `# all ${results.length} files and the type check passed`);
}

/**
 * A CI log is often read from its end: each failed file's own failure report
 * (the spec reporter's "failing tests" section, or its last lines) is repeated
 * after the summary, so the reason is there beside the verdict.
 */
function repeatFailures(results: FileResult[]): void {
  for (const r of results.filter((x) => x.code !== 0)) {
    const lines = r.output.split('\n');
    const from = lines.findIndex((line) => line.includes('failing tests:'));
    const report = (from >= 0 ? lines.slice(from) : lines.slice(-60)).slice(0, 120);
    console.log(`\n# why ${r.file} failed:\n${report.join('\n')}`);
  }
}

async function stopServers(): Promise<void> {
  await Promise.allSettled([worker?.close(), dynamodb?.stop()]);
  worker = undefined;
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  if (testsDir) rmSync(testsDir, { recursive: true, force: true });
  dynamodb = undefined;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n# ${signal}: stopping the test files and the shared servers`);
    for (const child of children) signalGroup(child, 'SIGTERM');
    void stopServers().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(err);
} finally {
  await stopServers();
}
process.exit(code);
