import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface NpmStart {
  process: ChildProcess;
  /** Everything the terminal has shown so far (stdout and stderr interleaved). */
  output(): string;
  /** Ctrl+C as the user presses it: the whole process group gets SIGINT (SIGKILL if it lingers). */
  stop(): Promise<void>;
}

/**
 * `npm start` (or another start script) as a user runs it, in a process group of its own so
 * that stopping it stops wrangler and workerd too. Resolves once it has printed its
 * `export KUBECONFIG=` line, that is once the server answers and the kubeconfig is written.
 */
export function npmStart(env: Record<string, string>, script = 'start'): Promise<NpmStart> {
  const child = spawn('npm', ['run', script], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(-child.pid!, 'SIGINT'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void stop(); reject(new Error(`npm ${script} did not come up:\n${out}`)); }, 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('export KUBECONFIG=')) { clearTimeout(timer); resolve({ process: child, output: () => out, stop }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`npm ${script} exited ${code}:\n${out}`)); });
  });
}
