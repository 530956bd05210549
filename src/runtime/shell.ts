import { componentStartup, dateOutput } from './imageOutput.ts';
import { componentRun } from './componentFlags.ts';
import { hasNetworkCommand, runNetworkCommand } from './netCommands.ts';
import type { NetworkView } from './network.ts';
import type { Ending, FileEvent, HostRoot, ProgramInput, TimedText } from './timeline.ts';
import { nodeCommandNames, runNodeCommand, unitPath, type UnitChange } from './nodeCommands.ts';
import { filterCommand, filterNames, grepLines, linesCommand, sedScript } from './textCommands.ts';
import { hasSystemCommand, runSystemCommand } from './systemCommands.ts';

/**
 * A small shell: the command lines pods run (`sh -c 'echo hi; sleep 5; exit 1'`,
 * `while true; do date; sleep 2; done`), interpreted on a virtual clock into the
 * timed output and the ending they would have. Nothing is executed.
 */

type Token = { word: string } | { op: string; fd?: string; mode?: string };
/** `2>/dev/null`, `>> /tmp/log`, `2>&1`: which descriptor goes where. */
interface Redirect { fd: string; mode: string; target: string }

/**
 * `$(…)` at `at`: where it closes (quotes and nested parentheses honoured, one pass), and what
 * stands in the word for it until the command runs: `$(date)` a marker the output's time fills
 * in, `$(hostname)` the name, any other script itself between \u0001 and \u0002 (run then,
 * its output substituted: `TOKEN=$(cat /var/run/…/token)`).
 */
function substitution(script: string, at: number, hostname = ''): { marker: string; end: number } | undefined {
  if (script[at + 1] !== '(' || script[at + 2] === '(') return undefined;
  let depth = 1, quote: string | undefined;
  for (let k = at + 2; k < script.length; k++) {
    const ch = script[k];
    if (quote) { if (ch === quote) quote = undefined; else if (ch === '\\' && quote === '"') k++; continue; }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\') k++;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) {
      const inner = script.slice(at + 2, k).replace(/[\u0001\u0002]/g, '');
      const marker = inner.trim() === 'date' ? '\u0000DATE\u0000' : inner.trim() === 'hostname' && hostname ? hostname : `\u0001${inner}\u0002`;
      return { marker, end: k };
    }
  }
  return undefined;
}

/** Splits a script into words and operators, honouring quotes and a few expansions. */
function tokenize(script: string, input: ProgramInput): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  const flush = () => { if (inWord) tokens.push({ word }); word = ''; inWord = false; };
  // Unknown names stay as written: loop variables are substituted when the command runs.
  const expand = (name: string) => (name === 'HOSTNAME' ? input.hostname : (input.env ?? []).find((e) => e.name === name)?.value ?? `$${name}`);
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      word += script.slice(i + 1, end < 0 ? undefined : end);
      inWord = true;
      i = end < 0 ? script.length : end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < script.length && script[j] !== '"'; j++) {
        // Inside double quotes a backslash escapes only $ ` " \ and a newline; before anything else it stays.
        if (script[j] === '\\' && j + 1 < script.length) { word += '$`"\\\n'.includes(script[j + 1]) ? script[++j] : '\\'; continue; }
        if (script[j] === '$') {
          const sub = substitution(script, j, input.hostname);
          if (sub) { word += sub.marker; j = sub.end; continue; }
          const m = /^\$(?:\{(\w+)\}|(\w+))/.exec(script.slice(j));
          if (m) { word += expand(m[1] ?? m[2]); j += m[0].length - 1; continue; }
        }
        word += script[j];
      }
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < script.length) {
      word += script[++i];
      inWord = true;
    } else if (c === '$') {
      const sub = substitution(script, i, input.hostname);
      const m = sub ? null : /^\$(?:\{(\w+)\}|(\w+))/.exec(script.slice(i));
      if (sub) { word += sub.marker; i = sub.end; } else if (m) { word += expand(m[1] ?? m[2]); i += m[0].length - 1; } else word += c;
      inWord = true;
    } else if (c === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
      i--;
    } else if (c === ';' || c === '\n') {
      flush(); tokens.push({ op: ';' });
    } else if (c === '&' || c === '|') {
      flush();
      if (script[i + 1] === c) { tokens.push({ op: c + c }); i++; } else tokens.push({ op: c === '&' ? ';' : '|' });
    } else if (c === ' ' || c === '\t') {
      flush();
    } else if (c === '>' || c === '<') {
      // A single digit right before the operator names the descriptor (2>/dev/null).
      let fd = c === '<' ? '0' : '1';
      if (inWord && /^\d$/.test(word)) { fd = word; word = ''; inWord = false; } else flush();
      let mode: string = c;
      if (c === '>' && (script[i + 1] === '>' || script[i + 1] === '&')) mode += script[++i];
      tokens.push({ op: 'redirect', fd, mode });
    } else {
      word += c;
      inWord = true;
    }
  }
  flush();
  return tokens;
}

/** A parsed script: commands joined by ;, && and ||, and loops. */
type Node =
  /** `from`: the command whose output this one reads on its stdin (`grep x file | head -3`). */
  | { kind: 'command'; argv: string[]; redirects: Redirect[]; from?: Node }
  | { kind: 'list'; items: Array<{ node: Node; join: ';' | '&&' | '||' }> }
  | { kind: 'while'; forever: boolean; body: Node }
  | { kind: 'for'; values: string[]; variable: string; body: Node };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peekWord(): string | undefined {
    const t = this.tokens[this.i];
    return t && 'word' in t ? t.word : undefined;
  }

  private skipSeparators(): void {
    while (this.i < this.tokens.length && 'op' in this.tokens[this.i] && (this.tokens[this.i] as { op: string }).op === ';') this.i++;
  }

  parseList(stop: string[] = []): Node {
    const items: Array<{ node: Node; join: ';' | '&&' | '||' }> = [];
    let join: ';' | '&&' | '||' = ';';
    this.skipSeparators();
    while (this.i < this.tokens.length) {
      const w = this.peekWord();
      if (w !== undefined && stop.includes(w)) break;
      items.push({ node: this.parseCommand(), join });
      const t = this.tokens[this.i];
      if (!t) break;
      if ('op' in t) {
        this.i++;
        join = t.op === '&&' ? '&&' : t.op === '||' ? '||' : ';';
        if (join === ';') this.skipSeparators();
      }
    }
    return { kind: 'list', items };
  }

  private parseCommand(): Node {
    const w = this.peekWord();
    if (w === 'while' || w === 'until') {
      this.i++;
      const condition = this.parseList(['do']);
      this.i++; // do
      const body = this.parseList(['done']);
      this.i++; // done
      const condWords = condition.kind === 'list' ? condition.items.map((x) => (x.node.kind === 'command' ? x.node.argv.join(' ') : '?')).join(';') : '';
      const truthy = ['true', ':', '[ 1 ]', '[ true ]', 'sleep 1', 'test 1'].some((x) => condWords === x || condWords.startsWith('sleep'));
      return { kind: 'while', forever: w === 'while' ? truthy : condWords === 'false', body: truthy || w === 'until' ? body : { kind: 'list', items: [] } };
    }
    if (w === 'for') {
      this.i++;
      const variable = this.peekWord() ?? 'i';
      this.i++;
      const values: string[] = [];
      if (this.peekWord() === 'in') {
        this.i++;
        for (let v = this.peekWord(); v !== undefined && v !== 'do'; v = this.peekWord()) { values.push(v); this.i++; }
      }
      this.skipSeparators();
      if (this.peekWord() === 'do') this.i++;
      const body = this.parseList(['done']);
      this.i++;
      return { kind: 'for', values, variable, body };
    }
    let argv: string[] = [];
    let redirects: Redirect[] = [];
    let from: Node | undefined;
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i];
      if ('op' in t) {
        if (t.op === 'redirect') {
          const target = this.tokens[this.i + 1];
          redirects.push({ fd: t.fd ?? '1', mode: t.mode ?? '>', target: target && 'word' in target ? target.word : '' });
          this.i += 2;
          continue;
        }
        if (t.op === '|') { this.i++; from = { kind: 'command', argv, redirects, ...(from ? { from } : {}) }; argv = []; redirects = []; continue; }
        break;
      }
      argv.push(t.word);
      this.i++;
    }
    return { kind: 'command', argv, redirects, ...(from ? { from } : {}) };
  }
}

/** The container's files as a script changes them; shared by a script's nested runs. */
export interface Disk { files: Map<string, string>; dirs: Set<string> }

/** Result of running script steps on a virtual clock; fileEvents' offsets are from the run's start, as out's are. */
/** `network`: the pod's view of the cluster network, for an exec'd command (the kubelet's programs have none). */
/** `nodeRoot`: the shell's root is a node's (after `chroot` into its mounted root), where its own commands run. */
interface Run { out: TimedText[]; elapsed: number; code: number; stop?: 'exit' | 'forever'; disk: Disk; fileEvents: FileEvent[]; network?: NetworkView; nodeRoot?: HostRoot }

const newRun = (disk: Disk, network?: NetworkView, nodeRoot?: HostRoot): Run => ({ out: [], elapsed: 0, code: 0, disk, fileEvents: [], network, ...(nodeRoot ? { nodeRoot } : {}) });
/** Appends a finished inner run's output and file changes at the outer run's clock. */
function mergeRun(run: Run, inner: Run): void {
  run.out.push(...inner.out.map((t) => ({ ...t, offsetMs: t.offsetMs + run.elapsed })));
  run.fileEvents.push(...inner.fileEvents.map((e) => ({ ...e, offsetMs: e.offsetMs + run.elapsed })));
  run.elapsed += inner.elapsed;
}

/** What every image's root holds, so `ls /` and `cd /tmp` look ordinary. */
const rootDirs = ['bin', 'dev', 'etc', 'home', 'lib', 'lib64', 'proc', 'root', 'sys', 'tmp', 'usr', 'var'];
export const absolute = (path: string) => (`/${path.split('/').filter((p) => p && p !== '.').join('/')}`);
export function isDir(disk: Disk, path: string): boolean {
  if (path === '/' || rootDirs.includes(path.slice(1)) || disk.dirs.has(path)) return true;
  const prefix = `${path}/`;
  for (const f of disk.files.keys()) if (f.startsWith(prefix)) return true;
  for (const d of disk.dirs) if (d.startsWith(prefix)) return true;
  return false;
}
/** Names directly under a directory, sorted as ls sorts them. */
function children(disk: Disk, dir: string): string[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  const names = new Set(dir === '/' ? rootDirs : []);
  for (const p of [...disk.files.keys(), ...disk.dirs]) if (p.startsWith(prefix) && p.length > prefix.length) names.add(p.slice(prefix.length).split('/')[0]);
  return [...names].sort();
}
function writeFile(run: Run, path: string, content: string | null): void {
  if (content === null) run.disk.files.delete(path);
  else run.disk.files.set(path, content);
  run.fileEvents.push({ offsetMs: run.elapsed, path, content });
}
/** Lines of a file as cat prints them (a trailing newline ends the last line). */
const fileLines = (content: string) => (content === '' ? [] : content.replace(/\n$/, '').split('\n'));

/**
 * The text of a line used inside the shell (a `$(…)`, a pipe, a redirect to a file) rather than printed: an exec'd
 * command renders it at the wall-clock time it runs (`date > /tmp/x`); a container's program, a pure function of
 * its start, at the epoch plus its offset.
 */
const textAt = (t: TimedText, input: ProgramInput) => (typeof t.text === 'string' ? t.text : t.text((input.exec?.now ?? 0) + t.offsetMs));

/** `date`'s output is rendered when the line is printed (a marker holding its `+FORMAT`, if any, until then). */
const dateText = (text: string): TimedText['text'] => (text.includes('\u0000DATE') ? (ms: number) => text.replace(/\u0000DATE([^\u0000]*)\u0000/g, (_, format: string) => dateOutput(ms, format || undefined)) : text);

function parseSleep(arg: string | undefined): number {
  if (!arg) return 0;
  if (arg === 'infinity' || arg === 'inf') return Infinity;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
  if (!m) return 0;
  return Number(m[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

/** The commands this shell interprets itself: what `kubectl exec` can start in any image. */
export const shellCommands: ReadonlySet<string> = new Set([
  'echo', 'printf', 'sleep', 'exit', 'true', ':', 'cd', 'export', 'set', 'trap', 'cp', 'mv', 'chmod', 'ln', 'kill', 'wait',
  'cat', 'ls', 'touch', 'mkdir', 'rm', 'test', '[', 'env', 'printenv', 'false', 'date', 'hostname', 'pwd', 'whoami', 'uname', 'sh', 'bash', 'ash',
  'chroot', 'sed', 'grep', 'head', 'tail', 'wc', ...filterNames,
]);

/** How deep `$(…)` may nest inside `$(…)` before it expands to nothing (bounded work per command line). */
const maxSubstitutionDepth = 8;
let substitutionDepth = 0;

/** Runs each `$(…)` of a word (tokenize's \u0001…\u0002) in this shell, its stdout in its place less trailing newlines. */
function substituted(word: string, input: ProgramInput, run: Run, variables: Map<string, string>): string {
  if (!word.includes('\u0001')) return word;
  return word.replace(/\u0001([^\u0001\u0002]*)\u0002/g, (_, script: string) => {
    if (substitutionDepth >= maxSubstitutionDepth) return '';
    const inner = newRun(run.disk, run.network, run.nodeRoot);
    substitutionDepth++;
    try {
      runNode(new Parser(tokenize(script, input)).parseList(), input, inner, variables);
    } finally {
      substitutionDepth--;
    }
    const stdout = inner.out.filter((t) => !t.stderr).map((t) => textAt(t, input)).join('\n');
    mergeRun(run, { ...inner, out: inner.out.filter((t) => t.stderr) });
    run.code = inner.code;
    return stdout.replace(/\n+$/, '');
  });
}

const assignment = /^([A-Za-z_]\w*)=([\s\S]*)$/;

function runCommand(words: string[], input: ProgramInput, run: Run, variables: Map<string, string>): void {
  if (!words.length) return;
  const argv = words.map((w) => substituted(w, input, run, variables));
  // `NAME=value` alone sets a shell variable (its value's $VARs expanded); `export NAME=value` too.
  const setting = argv[0] === 'export' ? argv.slice(1) : argv;
  if (setting.length && setting.every((w) => assignment.test(w))) {
    // Its status is the last substitution's, else 0.
    if (!words.some((w) => w.includes('\u0001'))) run.code = 0;
    for (const w of setting) {
      const [, name, value] = assignment.exec(w)!;
      variables.set(name, value.replace(/\$(\w+)/g, (_, n: string) => variables.get(n) ?? ''));
    }
    return;
  }
  const cmd = argv[0].split('/').pop()!;
  // A nested shell gets its script verbatim; other commands see variables substituted.
  const nested = cmd === 'sh' || cmd === 'bash' || cmd === 'ash';
  // `$?` is the last command's exit code, read as this one starts.
  const args = argv.slice(1).map((a) => (nested ? a : a.replace(/\$(\w+|\?)/g, (_, name: string) => (name === '?' ? String(run.code) : variables.get(name) ?? ''))));
  const print = (text: string) => run.out.push({ offsetMs: run.elapsed, text: dateText(text) });
  const fail = (text: string) => { run.out.push({ offsetMs: run.elapsed, text, stderr: true }); run.code = 1; };
  const paths = args.filter((a) => !a.startsWith('-')).map(absolute);
  const disk = run.disk;
  switch (cmd) {
    case 'echo': {
      let words = args;
      let newline = true;
      while (words[0] === '-n' || words[0] === '-e') { if (words[0] === '-n') newline = false; words = words.slice(1); }
      const text = words.join(' ');
      for (const line of (newline ? text : text).split('\n')) print(line);
      run.code = 0;
      return;
    }
    case 'printf': {
      const [format = '', ...rest] = args;
      let k = 0;
      const text = format.replace(/%[sd]/g, () => rest[k++] ?? '').replace(/\\n/g, '\n');
      for (const line of text.replace(/\n$/, '').split('\n')) print(line);
      run.code = 0;
      return;
    }
    case 'sleep': {
      const ms = parseSleep(args[0]);
      if (!Number.isFinite(ms)) { run.stop = 'forever'; return; }
      run.elapsed += ms;
      run.code = 0;
      return;
    }
    case 'exit':
      run.code = Number.parseInt(args[0] ?? String(run.code), 10) & 255;
      run.stop = 'exit';
      return;
    case 'true': case ':': case 'cd': case 'export': case 'set': case 'trap': case 'chmod': case 'ln': case 'kill': case 'wait':
      run.code = 0;
      return;
    case 'cp': case 'mv': {
      // Files only (a directory's copy needs -r, and is not modelled): the last path is the target, or the directory it names.
      run.code = 0;
      const named = args.filter((a) => !a.startsWith('-'));
      if (paths.length < 2) { fail(`${cmd}: missing destination file operand`); return; }
      const target = paths[paths.length - 1];
      for (const [k, source] of paths.slice(0, -1).entries()) {
        const content = disk.files.get(source);
        if (content === undefined) { fail(`${cmd}: can't stat '${named[k]}': No such file or directory`); continue; }
        const to = isDir(disk, target) ? `${target === '/' ? '' : target}/${source.split('/').pop()}` : target;
        writeFile(run, to, content);
        if (cmd === 'mv' && to !== source) writeFile(run, source, null);
      }
      return;
    }
    case 'chroot':
      chroot(args, input, run, variables);
      return;
    case 'sed': case 'grep': case 'head': case 'tail': case 'wc': case 'sort': case 'uniq': case 'cut': case 'tr': case 'base64': case 'tee': {
      const read = (name: string) => {
        const path = absolute(name);
        const content = disk.files.get(path);
        if (content === undefined) fail(`${cmd}: ${name}: ${isDir(disk, path) ? 'Is a directory' : 'No such file or directory'}`);
        return content;
      };
      const stdin = input.exec?.stdin;
      const result = cmd === 'sed' ? sedScript(args, read, stdin) : cmd === 'grep' ? grepLines(args, read, stdin)
        : cmd === 'head' || cmd === 'tail' || cmd === 'wc' ? linesCommand(cmd, args, read, stdin) : filterCommand(cmd, args, read, stdin);
      result.lines.forEach(print);
      for (const [name, content] of result.writes) writeFile(run, absolute(name), content);
      if (result.error) fail(result.error);
      run.code = result.code;
      return;
    }
    case 'cat':
      run.code = 0;
      // With no file (or `-`), cat copies its stdin: an exec'd `cat` echoes what kubectl exec -i sent.
      if (input.exec && (!paths.length || args.includes('-'))) fileLines(input.exec.stdin ?? '').forEach(print);
      for (const [k, path] of paths.entries()) {
        const content = disk.files.get(path);
        if (content !== undefined) fileLines(content).forEach(print);
        else if (isDir(disk, path)) fail(`cat: read error: Is a directory`);
        else fail(`cat: can't open '${args.filter((a) => !a.startsWith('-'))[k]}': No such file or directory`);
      }
      return;
    case 'ls': {
      run.code = 0;
      const named = args.filter((a) => !a.startsWith('-'));
      for (const [k, path] of (paths.length ? paths : ['/']).entries()) {
        if (disk.files.has(path)) print(named[k]);
        else if (isDir(disk, path)) children(disk, path).forEach(print);
        else fail(`ls: ${named[k]}: No such file or directory`);
      }
      return;
    }
    case 'touch':
      for (const path of paths) if (!disk.files.has(path)) writeFile(run, path, '');
      run.code = 0;
      return;
    case 'mkdir':
      for (const path of paths) disk.dirs.add(path);
      run.code = 0;
      return;
    case 'rm': {
      run.code = 0;
      const force = args.some((a) => /^-\w*f/.test(a));
      for (const [k, path] of paths.entries()) {
        const under = [...disk.files.keys()].filter((f) => f === path || f.startsWith(`${path}/`));
        if (!under.length && !disk.dirs.has(path) && !force) fail(`rm: can't remove '${args.filter((a) => !a.startsWith('-'))[k]}': No such file or directory`);
        for (const f of under) writeFile(run, f, null);
        disk.dirs.delete(path);
      }
      return;
    }
    case 'test': case '[': {
      const words = cmd === '[' && args[args.length - 1] === ']' ? args.slice(0, -1) : args;
      const [a, b, c] = words;
      const truth = words.length === 2 && a === '-f' ? disk.files.has(absolute(b))
        : words.length === 2 && a === '-d' ? isDir(disk, absolute(b))
        : words.length === 2 && a === '-e' ? disk.files.has(absolute(b)) || isDir(disk, absolute(b))
        : words.length === 2 && a === '-z' ? b === '' : words.length === 2 && a === '-n' ? b !== ''
        : words.length === 3 && (b === '=' || b === '==') ? a === c : words.length === 3 && b === '!=' ? a !== c
        : words.length === 1 ? a !== '' : true;
      run.code = truth ? 0 : 1;
      return;
    }
    case 'env': case 'printenv': {
      const env = [...(input.env ?? []).map((e) => [e.name, e.value ?? ''] as const), ['HOSTNAME', input.hostname] as const, ['HOME', '/root'] as const];
      if (cmd === 'printenv' && args.length) {
        const found = env.find(([n]) => n === args[0]);
        if (found) print(found[1]); else run.code = 1;
        if (found) run.code = 0;
        return;
      }
      for (const [n, v] of env) print(`${n}=${v}`);
      run.code = 0;
      return;
    }
    case 'false':
      run.code = 1;
      return;
    case 'date': {
      // `-u` and `-R`-less forms only: the clock is UTC anyway; a format is the first +word, bounded.
      const format = args.find((a) => a.startsWith('+'))?.slice(0, 256).replace(/\u0000/g, '') ?? '';
      print(`\u0000DATE${format}\u0000`);
      run.code = 0;
      return;
    }
    case 'hostname': print(input.hostname); run.code = 0; return;
    case 'pwd': print('/'); run.code = 0; return;
    case 'whoami': print('root'); run.code = 0; return;
    case 'uname': print(args.includes('-a') ? `Linux ${input.hostname} 6.8.0-1029-gcp #31-Ubuntu SMP x86_64 GNU/Linux` : 'Linux'); run.code = 0; return;
    case 'sh': case 'bash': case 'ash': {
      const c = args.indexOf('-c');
      if (c < 0 || args[c + 1] === undefined) { run.code = 0; return; }
      runScript(args[c + 1], input, run, variables);
      return;
    }
    default: {
      if (run.nodeRoot && cmd === 'ssh') { ssh(args, input, run, variables); return; }
      if (run.nodeRoot && nodeCommandNames.has(cmd)) {
        const pending: Record<string, UnitChange> = {};
        for (const [path, content] of disk.files) if (path.startsWith('unit:') && content) pending[path.slice(5)] = JSON.parse(content) as UnitChange;
        const result = runNodeCommand(cmd, args, run.nodeRoot, pending);
        run.out.push(...result.lines.map((l) => ({ ...l, offsetMs: run.elapsed + l.offsetMs })));
        for (const [unit, change] of Object.entries(result.units ?? {})) writeFile(run, unitPath(unit), JSON.stringify(change));
        run.elapsed += 50;
        run.code = result.code;
        return;
      }
      if (hasSystemCommand(input.image, cmd)) {
        const result = runSystemCommand(cmd, args, input);
        result.lines.forEach(print);
        run.code = result.code;
        return;
      }
      if (run.network && hasNetworkCommand(input.image, cmd)) {
        const result = runNetworkCommand(cmd, { view: run.network, files: Object.fromEntries(run.disk.files), image: input.image, args });
        run.out.push(...result.lines.map((l) => ({ offsetMs: run.elapsed + l.atMs, text: l.text, ...(l.stderr ? { stderr: true } : {}) })));
        run.elapsed += result.elapsedMs;
        for (const w of result.writes) writeFile(run, absolute(w.path), w.content);
        run.code = result.code;
        return;
      }
      // In an exec'd shell an unknown name is what busybox's sh says of it, not a server.
      if (input.exec && !componentStartup(cmd, run.elapsed)) { fail(`sh: ${cmd}: not found`); run.code = 127; return; }
      // A control-plane component that refuses its flags prints why and exits (componentFlags.ts).
      const refused = componentRun(cmd, args);
      if (refused?.exit) {
        run.out.push(...refused.lines.map((l) => ({ offsetMs: run.elapsed + l.afterMs, text: l.text, ...(l.stderr ? { stderr: true } : {}) })));
        run.elapsed += refused.exit.atMs;
        run.code = refused.exit.code;
        run.stop = 'exit';
        return;
      }
      const component = componentStartup(cmd, run.elapsed);
      if (component) run.out.push(...component);
      // Servers and anything we cannot interpret keep running, as most real workloads do.
      run.stop = 'forever';
    }
  }
}

/**
 * `chroot DIR [COMMAND…]`: the command runs with DIR as its root; what it writes lands under
 * DIR. Into a node's mounted root, the node's own commands (systemctl, crictl) are there. With
 * no command it starts a shell on the same stdin, which a script's `sh -c` has none of.
 */
function chroot(args: string[], input: ProgramInput, run: Run, variables: Map<string, string>): void {
  const [dir, ...command] = args;
  if (dir === undefined) { run.out.push({ offsetMs: run.elapsed, text: 'chroot: missing operand', stderr: true }); run.code = 1; return; }
  const root = absolute(dir);
  if (!isDir(run.disk, root)) { run.out.push({ offsetMs: run.elapsed, text: `chroot: can't change root directory to '${dir}': No such file or directory`, stderr: true }); run.code = 125; return; }
  const under = (path: string) => (root === '/' ? path : path.startsWith(`${root}/`) ? path.slice(root.length) : undefined);
  const disk: Disk = { files: new Map(), dirs: new Set() };
  for (const [path, content] of run.disk.files) {
    // `unit:…` and `node:…` entries are not files: what systemctl and ssh changed, carried through.
    const inside = path.startsWith('/') ? under(path) : path;
    if (inside !== undefined) disk.files.set(inside, content);
  }
  for (const d of run.disk.dirs) { const inside = under(d); if (inside) disk.dirs.add(inside); }
  const nodeRoot = input.host && input.host.mountPath === root ? input.host : run.nodeRoot && root === '/' ? run.nodeRoot : undefined;
  const inner = newRun(disk, run.network, nodeRoot);
  runCommand(command.length ? command : ['sh'], input, inner, variables);
  run.out.push(...inner.out.map((t) => ({ ...t, offsetMs: t.offsetMs + run.elapsed })));
  for (const e of inner.fileEvents) {
    const outside = !e.path.startsWith('/') || root === '/' ? e.path : `${root}${e.path}`;
    if (e.content === null) run.disk.files.delete(outside); else run.disk.files.set(outside, e.content);
    run.fileEvents.push({ offsetMs: e.offsetMs + run.elapsed, path: outside, content: e.content });
  }
  run.elapsed += inner.elapsed;
  run.code = inner.code;
  if (inner.stop === 'forever') run.stop = 'forever';
}

/**
 * `ssh NODE [COMMAND…]` from a node's root (the cluster's nodes reach each other, as on a
 * kubeadm lab's control plane): the command runs on that node, its root and its commands.
 * What it changes there is written as `node:NODE:…` events for that node.
 */
function ssh(args: string[], input: ProgramInput, run: Run, variables: Map<string, string>): void {
  const here = run.nodeRoot!;
  const [target, ...command] = args.filter((a, i) => !(a.startsWith('-') && i === 0));
  const peer = target ? here.peers?.[target.replace(/^.*@/, '')] : undefined;
  const name = target?.replace(/^.*@/, '') ?? '';
  if (name === here.node) { runCommand(command.length ? command : ['sh'], input, run, variables); return; }
  if (!peer) {
    run.out.push({ offsetMs: run.elapsed, text: target ? `ssh: Could not resolve hostname ${name}: Temporary failure in name resolution` : 'usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] destination [command [argument ...]]', stderr: true });
    run.code = 255;
    return;
  }
  const prefix = `node:${name}:`;
  const disk: Disk = { files: new Map(Object.entries(peer.files)), dirs: new Set() };
  for (const [path, content] of run.disk.files) if (path.startsWith(prefix)) disk.files.set(path.slice(prefix.length), content);
  const inner = newRun(disk, run.network, { mountPath: '/', node: name, units: peer.units, containers: peer.containers, peers: { ...here.peers, [here.node]: { files: {}, units: here.units, containers: here.containers } } });
  runCommand(command.length ? ['sh', '-c', command.join(' ')] : ['sh'], { ...input, hostname: name }, inner, variables);
  run.out.push(...inner.out.map((t) => ({ ...t, offsetMs: t.offsetMs + run.elapsed })));
  for (const e of inner.fileEvents) {
    const on = `${prefix}${e.path}`;
    if (e.content === null) run.disk.files.delete(on); else run.disk.files.set(on, e.content);
    run.fileEvents.push({ offsetMs: e.offsetMs + run.elapsed, path: on, content: e.content });
  }
  run.elapsed += inner.elapsed + 200;
  run.code = inner.code;
}

function runNode(node: Node, input: ProgramInput, run: Run, variables: Map<string, string>): void {
  if (run.stop) return;
  switch (node.kind) {
    case 'command': {
      let stdinInput = input;
      if (node.from) {
        // A pipeline: the earlier command's output is this one's stdin (its errors still show).
        const mark = run.out.length;
        runNode(node.from, input, run, variables);
        const piped = run.out.splice(mark);
        run.out.push(...piped.filter((t) => t.stderr));
        const text = piped.filter((t) => !t.stderr).map((t) => `${textAt(t, input)}\n`).join('');
        stdinInput = { ...input, exec: { ...input.exec, stdin: text } };
        if (run.stop === 'exit') run.stop = undefined;
      }
      if (!node.redirects.length) runCommand(node.argv, stdinInput, run, variables);
      else redirected(node.argv, node.redirects, stdinInput, run, variables);
      return;
    }
    case 'list':
      for (const { node: item, join } of node.items) {
        if (run.stop) return;
        if (join === '&&' && run.code !== 0) continue;
        if (join === '||' && run.code === 0) continue;
        runNode(item, input, run, variables);
      }
      return;
    case 'for':
      for (const value of node.values) {
        variables.set(node.variable, value);
        runNode(node.body, input, run, variables);
        if (run.stop) return;
      }
      return;
    case 'while': {
      if (!node.forever) { run.code = 0; return; }
      // One pass of the body tells its output and period; it then repeats forever.
      const body = newRun(run.disk, run.network, run.nodeRoot);
      runNode(node.body, input, body, variables);
      if (body.stop === 'exit') { mergeRun(run, body); run.code = body.code; run.stop = 'exit'; return; }
      // The body's file changes happen on its first pass; later passes repeat them.
      run.fileEvents.push(...body.fileEvents.map((e) => ({ ...e, offsetMs: e.offsetMs + run.elapsed })));
      loopOf.set(run, { body: body.out, periodMs: Math.max(body.elapsed, 1000) });
      run.stop = 'forever';
      return;
    }
  }
}

const loopOf = new WeakMap<Run, { body: TimedText[]; periodMs: number }>();

/** A command whose output goes (in part) to files or /dev/null, as its redirections say, in order. */
function redirected(argv: string[], redirects: Redirect[], input: ProgramInput, run: Run, variables: Map<string, string>): void {
  const mark = run.out.length;
  runCommand(argv, input, run, variables);
  const produced = run.out.splice(mark);
  // A stream: the container's stdout or stderr (a log line, or exec's channel); a path: a file; null: /dev/null.
  type Dest = { path: string | null; append: boolean } | { stream: '1' | '2' };
  const dest: Record<'1' | '2', Dest> = { 1: { stream: '1' }, 2: { stream: '2' } };
  for (const r of redirects) {
    if (r.fd !== '1' && r.fd !== '2') continue;
    if (r.mode === '>&') { dest[r.fd] = r.target === '1' || r.target === '2' ? dest[r.target] : dest[r.fd]; continue; }
    if (r.mode === '<') continue;
    const target = r.target.replace(/\$(\w+)/g, (_, name: string) => variables.get(name) ?? '');
    dest[r.fd] = { path: target === '/dev/null' ? null : absolute(target), append: r.mode === '>>' };
  }
  const fileOf = (d: Dest) => ('path' in d ? d : undefined);
  const written = new Map<string, string[]>();
  for (const d of Object.values(dest)) { const f = fileOf(d); if (f?.path) written.set(f.path, written.get(f.path) ?? []); }
  for (const line of produced) {
    const d = dest[line.stderr ? '2' : '1'];
    if ('stream' in d) run.out.push(d.stream === '2' ? { ...line, stderr: true } : { offsetMs: line.offsetMs, text: line.text });
    else if (d.path) written.get(d.path)!.push(textAt(line, input));
  }
  for (const [path, lines] of written) {
    const append = fileOf(dest[1])?.path === path ? !!fileOf(dest[1])?.append : !!fileOf(dest[2])?.append;
    const before = append ? run.disk.files.get(path) ?? '' : '';
    writeFile(run, path, before + lines.map((l) => `${l}\n`).join(''));
  }
}

function runScript(script: string, input: ProgramInput, run: Run, variables: Map<string, string>): void {
  const inner = newRun(run.disk, run.network, run.nodeRoot);
  runNode(new Parser(tokenize(script, input)).parseList(), input, inner, variables);
  mergeRun(run, inner);
  run.code = inner.code;
  run.stop = inner.stop;
  const loop = loopOf.get(inner);
  if (loop) loopOf.set(run, loop);
}

/**
 * Runs a command line on a virtual clock: what it prints, how long its finite part takes, how it ends.
 * `network`: what an exec'd command's nslookup, wget, curl, nc and ping reach (network.ts).
 */
export function runShell(argv: string[], input: ProgramInput, network?: NetworkView): { out: TimedText[]; elapsed: number; ending: Ending; fileEvents: FileEvent[]; code: number } {
  const run = newRun({ files: new Map(Object.entries(input.files ?? {})), dirs: new Set(input.dirs ?? []) }, network);
  runCommand(argv, input, run, new Map());
  const loop = loopOf.get(run);
  let ending: Ending;
  if (loop) ending = { kind: 'loop', ...loop };
  else if (run.stop === 'forever') ending = { kind: 'forever' };
  else ending = { kind: 'exit', code: run.code };
  return { out: run.out, elapsed: run.elapsed, ending, fileEvents: run.fileEvents, code: run.code };
}
