import { componentStartup, imageBase } from './imageOutput.ts';
import { hasNetworkCommand } from './netCommands.ts';
import type { LoadingNetworkView } from './network.ts';
import { runOnNetwork, usesNetwork } from './networkPrograms.ts';
import { absolute, isDir, runShell, shellCommands } from './shell.ts';
import { hasSystemCommand } from './systemCommands.ts';
import { maxExtractBytes, runTar } from './tarCommand.ts';
import type { ProgramInput, TimedText } from './timeline.ts';

/**
 * One `kubectl exec` process in a simulated container: the command is run by the same
 * shell as the container's own program (shell.ts), with the container's env and files,
 * and its output is played out in real time (a `sleep 2` in it takes two seconds, a
 * `while true` loop prints until the client leaves). Runtime-neutral: the protocol
 * (server/remotecommand.ts) hands it stdin and receives stdout, stderr and the exit code.
 */

export interface ExecSink {
  /** Text, or bytes where the process writes binary (`tar cf -`). */
  stdout(data: string | Uint8Array): void;
  stderr(text: string): void;
  /** The process ended: its exit code. Nothing is written after it. */
  exit(code: number): void;
}

export interface ExecSession {
  /** What came in on stdin: bytes as the channel carries them (text from tests). */
  stdin(data: string | Uint8Array): void;
  /** The client closed stdin (v5.channel.k8s.io's close of channel 0, or EOF of a pipe). */
  closeStdin(): void;
  /** The client left: timers stop, nothing more is written. */
  stop(): void;
}

export interface ExecRequest {
  argv: string[];
  stdin: boolean;
  tty: boolean;
  input: ProgramInput;
  /** Wall-clock time for `date` and log stamps. */
  now: () => number;
  /** Started again on a socket that outlived the session (a hibernated Durable Object): no new prompt. */
  resumed?: boolean;
  /** The container's writable layer: what the process writes stays for the next exec (writableLayer.ts). */
  layer?: FileLayer;
  /** The cluster network as the pod sees it now: read afresh for each command line that uses it. */
  network?: () => Promise<LoadingNetworkView>;
}

/** Where an exec'd process's writes go beyond its own run. */
export interface FileLayer {
  /** false: the layer is full (the write is not kept). */
  write(path: string, content: string | null): boolean;
  mkdir(path: string): void;
  /** Resolves once every write is kept (a node's files are written to the store): the process's exit waits for it. */
  settled?(): Promise<void>;
}

/** How long a single exec'd command may play out before it is cut (a `sleep 3600` does not hold a session all day). */
const maxRunMs = 10 * 60_000;
/** How long a tar warning leads the archive after it (see startTar). */
const WARNING_BEFORE_ARCHIVE_MS = 200;
/** stdin kept for a command that reads it at EOF (`cat`): bounded, as a real pipe's reader would not hold a gigabyte either. */
export const maxStdinBytes = 1 << 20;

/** What an image's PATH holds: the shell's own commands; bash only where the image ships it. */
function executable(cmd: string, image: string): boolean {
  if (cmd === 'bash') return !['busybox', 'alpine'].includes(imageBase(image));
  return shellCommands.has(cmd) || hasSystemCommand(image, cmd) || componentStartup(cmd, 0) !== undefined || hasNetworkCommand(image, cmd);
}

/** containerd/runc's answer to an exec of a name that is not on PATH, with kubelet's exit code 126. */
const notFoundMessage = (name: string) =>
  `OCI runtime exec failed: exec failed: unable to start container process: exec: "${name}": executable file not found in $PATH: unknown`;

const isShell = (cmd: string) => cmd === 'sh' || cmd === 'bash' || cmd === 'ash';

export function startExec(request: ExecRequest, sink: ExecSink): ExecSession {
  const { argv, input } = request;
  const name = argv[0] ?? '';
  const cmd = name.split('/').pop() ?? '';
  const nl = request.tty ? '\r\n' : '\n';
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let ended = false;
  const end = (code: number) => {
    if (ended) return;
    ended = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    // What the process wrote to its node is kept before its exit is reported: the next command sees it.
    const kept = request.layer?.settled?.();
    if (kept) void kept.then(() => sink.exit(code), () => sink.exit(code)); else sink.exit(code);
  };
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => { timers.delete(t); if (!ended) fn(); }, ms);
    timers.add(t);
  };
  const decoder = new TextDecoder();
  const decode = (data: string | Uint8Array) => (typeof data === 'string' ? data : decoder.decode(data, { stream: true }));
  const stopped: ExecSession = { stdin() {}, closeStdin() {}, stop() { ended = true; for (const t of timers) clearTimeout(t); timers.clear(); } };

  if (cmd === 'tar') return startTar(request, sink, end, stopped);
  if (!executable(cmd, input.image)) {
    sink.stdout(`${notFoundMessage(name)}${nl}`);
    queueMicrotask(() => end(126));
    return stopped;
  }

  const emit = (t: TimedText, at: number) => {
    const text = `${typeof t.text === 'function' ? t.text(at) : t.text}${nl}`;
    if (t.stderr && !request.tty) sink.stderr(text); else sink.stdout(text);
  };
  // Files written by one command are there for the next one of an interactive shell.
  let files = { ...input.files };

  /** Runs a command line and plays its output; calls done with the exit code when it ends (never, for a server). */
  const run = (line: string[], stdin: string | undefined, view: LoadingNetworkView | undefined) => runShell(line, { ...input, files, exec: { stdin, now: request.now() } }, view);
  const play = (line: string[], stdin: string | undefined, done: (code: number) => void) => {
    if (!request.network || !usesNetwork(line)) { playResult(run(line, stdin, undefined), done); return; }
    // Reads the cluster's objects, then the containers the command reached (each run may reach more), and plays the last run.
    void runOnNetwork(request.network, (view) => run(line, stdin, view), () => ended).then((result) => { if (!ended) playResult(result, done); }).catch(() => { if (!ended) { sink.stderr(`${line[0]}: network unavailable${nl}`); end(1); } });
  };

  const playResult = (result: ReturnType<typeof runShell>, done: (code: number) => void) => {
    const started = request.now();
    for (const e of result.fileEvents) { if (e.content === null) delete files[e.path]; else files[e.path] = e.content; request.layer?.write(e.path, e.content); }
    files = { ...files };
    for (const t of result.out) later(Math.min(t.offsetMs, maxRunMs), () => emit(t, started + t.offsetMs));
    const ending = result.ending;
    if (ending.kind === 'exit') { later(Math.min(result.elapsed, maxRunMs), () => done(ending.code)); return; }
    if (ending.kind === 'loop' && ending.body.length) {
      let pass = 0;
      const repeat = () => {
        const base = result.elapsed + pass * ending.periodMs;
        for (const t of ending.body) later(t.offsetMs, () => emit(t, started + base + t.offsetMs));
        pass++;
        if (base < maxRunMs) later(ending.periodMs, repeat); else later(ending.periodMs, () => done(137));
      };
      later(result.elapsed, repeat);
      return;
    }
    // A server or `sleep infinity`: it runs until the client leaves, or the session's time is up.
    later(maxRunMs, () => done(137));
  };

  // An interactive shell: each line is run as it arrives (with a prompt and echo under a TTY).
  if (isShell(cmd) && !argv.includes('-c') && request.stdin) {
    const shellPrompt = cmd === 'bash' ? `root@${input.hostname}:/# ` : '/ # ';
    let root: string | undefined;
    let remote: string | undefined;
    let remoteName = '';
    const promptOf = () => (root === undefined ? shellPrompt : remote === undefined ? '# ' : `root@${remote}:~# `);
    let buffer = '';
    let busy = false;
    let eof = false;
    let last = 0;
    const queue: string[] = [];
    const next = () => {
      if (busy || ended) return;
      const line = queue.shift();
      if (line === undefined) { if (eof) end(last); else if (request.tty) sink.stdout(promptOf()); return; }
      const exit = /^\s*exit(?:\s+(\d+))?\s*$/.exec(line);
      // `exit` in a chrooted shell (or an ssh session from it) leaves it for the shell that started it.
      if (exit && remote !== undefined) { remote = undefined; last = exit[1] ? Number(exit[1]) & 255 : last; if (request.tty) sink.stdout(`logout\r\nConnection to ${remoteName} closed.\r\n`); next(); return; }
      if (exit && root !== undefined) { root = undefined; last = exit[1] ? Number(exit[1]) & 255 : last; next(); return; }
      if (exit) { end(exit[1] ? Number(exit[1]) & 255 : last); return; }
      if (!line.trim()) { next(); return; }
      // `chroot DIR` alone starts a shell whose root is DIR: the lines after it run there, with the node's prompt.
      const into = /^\s*chroot\s+(\S+)\s*$/.exec(line);
      if (into && root === undefined && isDir({ files: new Map(Object.entries(files)), dirs: new Set(input.dirs) }, absolute(into[1]))) { root = absolute(into[1]); next(); return; }
      // From a node's root, `ssh NODE` alone opens a shell on that node (the cluster's nodes reach each other).
      const to = /^\s*ssh\s+(?:\S+@)?(\S+)\s*$/.exec(line);
      if (to && root !== undefined && remote === undefined && input.host && root === input.host.mountPath && (to[1] === input.host.node || input.host.peers?.[to[1]])) {
        remote = to[1];
        remoteName = to[1];
        next();
        return;
      }
      busy = true;
      const argv = root === undefined ? ['sh', '-c', line] : remote === undefined ? ['chroot', root, 'sh', '-c', line] : ['chroot', root, 'ssh', remote, line];
      play(argv, '', (code) => { last = code; busy = false; next(); });
    };
    if (request.tty && !request.resumed) sink.stdout(promptOf());
    let taken = 0;
    return {
      stdin(data) {
        if (ended) return;
        const text = decode(data);
        taken += text.length;
        if (taken > maxStdinBytes) { sink.stderr(`sh: input too long${nl}`); end(2); return; }
        for (const ch of text) {
          if (request.tty) {
            // The terminal's line discipline: echo, backspace, Ctrl-C drops the line, Ctrl-D on an empty line is EOF.
            if (ch === '\r' || ch === '\n') { sink.stdout('\r\n'); queue.push(buffer); buffer = ''; continue; }
            if (ch === '\x7f' || ch === '\b') { if (buffer) { buffer = buffer.slice(0, -1); sink.stdout('\b \b'); } continue; }
            if (ch === '\x03') { buffer = ''; sink.stdout(`^C\r\n`); queue.push(''); continue; }
            if (ch === '\x04') { if (!buffer) { eof = true; queue.length = 0; } continue; }
            buffer += ch;
            sink.stdout(ch);
          } else if (ch === '\n') { queue.push(buffer); buffer = ''; } else buffer += ch;
        }
        if (!busy) { if (request.tty && queue.length === 0) return; next(); }
      },
      closeStdin() { eof = true; if (buffer) { queue.push(buffer); buffer = ''; } if (!busy) next(); },
      stop: stopped.stop,
    };
  }

  // A command that reads its stdin (cat with no file) waits for all of it; anything else starts now.
  const readsStdin = request.stdin && cmd === 'cat' && !argv.slice(1).some((a) => a !== '-' && !a.startsWith('-'));
  if (!readsStdin) {
    play(argv, undefined, end);
    return { stdin() {}, closeStdin() {}, stop: stopped.stop };
  }
  let collected = '';
  return {
    stdin(data) {
      if (ended) return;
      collected += decode(data);
      if (collected.length > maxStdinBytes) { sink.stderr(`cat: write error: No space left on device${nl}`); end(1); }
    },
    closeStdin() { if (!ended) play(argv, collected, end); },
    stop: stopped.stop,
  };
}

/**
 * `tar` as kubectl cp runs it: creating writes the archive to stdout at once; extracting
 * reads the whole archive from stdin (to the client's close of it), then writes its files.
 */
function startTar(request: ExecRequest, sink: ExecSink, end: (code: number) => void, stopped: ExecSession): ExecSession {
  const { argv, input } = request;
  const finish = (stdin: Uint8Array) => {
    const result = runTar(argv.slice(1), input.image, { files: new Map(Object.entries(input.files ?? {})), dirs: new Set(input.dirs) }, stdin, Math.floor(request.now() / 1000));
    let full = false;
    for (const dir of result.dirs) request.layer?.mkdir(dir);
    for (const w of result.writes) if (request.layer && !request.layer.write(w.path, w.content)) full = true;
    if (full) { sink.stderr('tar: write error: No space left on device\n'); queueMicrotask(() => end(1)); return; }
    // tar warns as it reads the names, before the archive it writes (it ends the archive as it exits): kubectl
    // prints the warning first. Sent back to back, the warning raced kubectl's end: `kubectl cp` returns once it
    // has read the archive's end, and its copy of stderr to the terminal may not have run yet (~5% on the Worker).
    // 20 ms apart still lost the race once in a loaded full run (kubectl not scheduled for the whole gap, so both
    // frames arrived in one read); 200 ms is past any scheduling stall seen here and costs only a warned cp.
    const archive = () => { if (result.stdout.length) sink.stdout(result.stdout); end(result.code); };
    if (result.stderr) (request.tty ? sink.stdout : sink.stderr)(result.stderr);
    if (result.stderr && result.stdout.length) setTimeout(archive, WARNING_BEFORE_ARCHIVE_MS);
    else queueMicrotask(archive);
  };
  const extracting = argv.slice(1).some((a, i) => (i === 0 || a.startsWith('-')) && !a.startsWith('--') && /[xt]/.test(a));
  if (!extracting || !request.stdin) { finish(new Uint8Array(0)); return stopped; }
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  return {
    stdin(data) {
      if (done) return;
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      size += bytes.length;
      // Past the bound the archive is not kept: tar says the disk is full, as it would.
      if (size > maxExtractBytes + 64 * 1024) { done = true; chunks.length = 0; sink.stderr('tar: write error: No space left on device\n'); end(1); return; }
      chunks.push(bytes.slice());
    },
    closeStdin() {
      if (done) return;
      done = true;
      const all = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) { all.set(c, at); at += c.length; }
      finish(all);
    },
    stop: stopped.stop,
  };
}
