import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { detachFromEventLoop, killWithParent } from './reaper.ts';

/**
 * DynamoDB Local (AWS's own emulator) for tests. The jar ships inside the npm
 * package amplify-dynamodb-simulator; we only `npm pack` it once and unpack its
 * emulator/ folder, because depending on the package would pull in aws-cdk-lib.
 */

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, 'node_modules', '.cache', 'apiserverless');
const emulatorDir = join(cacheDir, 'dynamodb-local');
const simulatorPackage = 'amplify-dynamodb-simulator@2.9.30';

export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const localRegion = 'us-east-1';

export interface DynamoDBLocal {
  endpoint: string;
  /** A client for this instance (dummy credentials, as DynamoDB Local accepts any). */
  client(): DynamoDBClient;
  stop(): Promise<void>;
}

/** The emulator folder (DynamoDBLocal.jar + DynamoDBLocal_lib), fetched and unpacked once. */
export async function emulatorPath(): Promise<string> {
  if (existsSync(join(emulatorDir, 'DynamoDBLocal.jar'))) return emulatorDir;
  mkdirSync(cacheDir, { recursive: true });
  // Unpack beside the target and rename: a concurrent test process either sees nothing or all of it.
  const work = mkdtempSync(join(cacheDir, 'dynamodb-local-'));
  try {
    await run('npm', ['pack', simulatorPackage, '--pack-destination', work, '--silent'], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${simulatorPackage} produced no tarball`);
    await run('tar', ['-xzf', join(work, tarball), '-C', work, 'package/emulator']);
    try {
      renameSync(join(work, 'package', 'emulator'), emulatorDir);
    } catch (err) {
      if (!existsSync(join(emulatorDir, 'DynamoDBLocal.jar'))) throw err; // someone else won the race otherwise
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return emulatorDir;
}

/** Java 17 is on the machines; CI images (Debian, root) may lack it, so install it there. */
async function ensureJava(): Promise<void> {
  try {
    await run('java', ['-version']);
    return;
  } catch { /* not installed */ }
  if (process.getuid?.() !== 0) throw new Error('java is not installed; DynamoDB Local needs a JRE (e.g. apt-get install default-jre-headless)');
  await run('apt-get', ['update'], { maxBuffer: 64 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', 'default-jre-headless'], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts one emulator process and waits until it answers ListTables. */
export async function startDynamoDBLocal(): Promise<DynamoDBLocal> {
  const cwd = await emulatorPath();
  await ensureJava();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(cwd, port);
    } catch (err) {
      if (attempt >= 3) throw err; // the port may have been taken between probing and binding
    }
  }
}

/**
 * JVM flags; DYNAMODB_LOCAL_JAVA_OPTS replaces them (space-separated). On a
 * small test machine the client shares the cores with the emulator: the quick
 * C1 compiler alone and the serial collector leave more CPU for the tests.
 */
const javaOptions = process.env.DYNAMODB_LOCAL_JAVA_OPTS?.split(' ').filter(Boolean) ?? ['-Xms256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

async function launch(cwd: string, port: number): Promise<DynamoDBLocal> {
  const java = spawn('java', [
    ...javaOptions, '-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar',
    '-inMemory', '-disableTelemetry', '-port', String(port),
  ], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
  java.stdout!.on('data', keep);
  java.stderr!.on('data', keep);
  let exited = false;
  java.once('exit', () => { exited = true; });
  const watchdog = killWithParent(java.pid!);
  const onExit = () => { java.kill('SIGKILL'); };
  process.once('exit', onExit);
  // A forgotten stop() must not keep the test process alive; the exit hook and watchdog still kill java.
  detachFromEventLoop(java);

  const stop = async () => {
    process.removeListener('exit', onExit);
    watchdog.kill('SIGKILL');
    if (exited) return;
    const gone = new Promise<void>((resolve) => java.once('exit', () => resolve()));
    java.kill('SIGTERM');
    const timer = setTimeout(() => java.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const probe = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 1, requestHandler: { requestTimeout: 2000 } });
  try {
    for (let waited = 0; ; waited += 100) {
      if (exited) throw new Error(`DynamoDB Local exited while starting:\n${output}`);
      try {
        await probe.send(new ListTablesCommand({}));
        break;
      } catch (err) {
        if (waited > 60_000) throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${(err as Error).message}\n${output}`);
        await sleep(100);
      }
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    probe.destroy();
  }
  return { endpoint, client: () => localClient(endpoint), stop };
}

/**
 * Set by the test launcher (test/run.ts) to the endpoint of the one emulator
 * it runs for the whole suite; every test there uses tables of its own.
 */
export const sharedDynamoDBVariable = 'APISERVERLESS_TEST_DYNAMODB_ENDPOINT';

let shared: Promise<DynamoDBLocal> | undefined;
/**
 * The launcher's emulator when there is one (its stop() leaves it running for
 * the other files), else one emulator for this test file (process), which the
 * file's `after` hook stops. Tests make tables with names of their own.
 */
export const sharedDynamoDBLocal = () => (shared ??= launcherDynamoDBLocal() ?? startDynamoDBLocal());

function launcherDynamoDBLocal(): Promise<DynamoDBLocal> | undefined {
  const endpoint = process.env[sharedDynamoDBVariable];
  if (!endpoint) return undefined;
  return Promise.resolve({ endpoint, client: () => localClient(endpoint), stop: async () => {} });
}
