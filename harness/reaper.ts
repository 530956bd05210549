import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A shell that SIGKILLs `pid` (or, with `group`, its whole process group) once
 * our stdin pipe closes, which happens however this process ends (even
 * SIGKILL), so no server a test started outlives its test run.
 * Kill the returned watchdog when the server was stopped the ordinary way.
 */
export function killWithParent(pid: number, options: { group?: boolean } = {}): ChildProcess {
  const target = options.group ? `-${pid}` : String(pid);
  const watchdog = spawn('sh', ['-c', 'read -r _ignored; kill -9 "$0" 2>/dev/null', target], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref(): void }).unref();
  return watchdog;
}

/** Lets this process exit while `child` still runs (its exit hooks and watchdog still stop it). */
export function detachFromEventLoop(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?(): void } | null)?.unref?.();
}
