import { componentStartup, dateOutput } from './imageOutput.ts';
import type { Ending, ProgramInput, TimedText } from './timeline.ts';

/**
 * A small shell: the command lines pods run (`sh -c 'echo hi; sleep 5; exit 1'`,
 * `while true; do date; sleep 2; done`), interpreted on a virtual clock into the
 * timed output and the ending they would have. Nothing is executed.
 */

type Token = { word: string } | { op: string };

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
        if (script[j] === '\\' && j + 1 < script.length) { word += script[++j]; continue; }
        if (script[j] === '$') {
          const m = /^\$(?:\{(\w+)\}|(\w+)|\((\w+)\))/.exec(script.slice(j));
          if (m) { word += m[3] ? (m[3] === 'hostname' ? input.hostname : m[3] === 'date' ? '\u0000DATE\u0000' : '') : expand(m[1] ?? m[2]); j += m[0].length - 1; continue; }
        }
        word += script[j];
      }
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < script.length) {
      word += script[++i];
      inWord = true;
    } else if (c === '$') {
      const m = /^\$(?:\{(\w+)\}|(\w+)|\((\w+)\))/.exec(script.slice(i));
      if (m) { word += m[3] ? (m[3] === 'hostname' ? input.hostname : m[3] === 'date' ? '\u0000DATE\u0000' : '') : expand(m[1] ?? m[2]); i += m[0].length - 1; } else word += c;
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
      flush();
      // Redirections: the target word is dropped with the operator.
      if (script[i + 1] === '>' || script[i + 1] === '&') i++;
      tokens.push({ op: 'redirect' });
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
  | { kind: 'command'; argv: string[] }
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
    const argv: string[] = [];
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i];
      if ('op' in t) {
        if (t.op === 'redirect') { this.i += 2; continue; }
        if (t.op === '|') { this.i++; argv.length = 0; continue; } // a pipeline: the last command is what shows
        break;
      }
      argv.push(t.word);
      this.i++;
    }
    return { kind: 'command', argv };
  }
}

/** Result of running script steps on a virtual clock. */
interface Run { out: TimedText[]; elapsed: number; code: number; stop?: 'exit' | 'forever' }

const dateText = (text: string): TimedText['text'] => (text.includes('\u0000DATE\u0000') ? (ms: number) => text.replaceAll('\u0000DATE\u0000', dateOutput(ms)) : text);

function parseSleep(arg: string | undefined): number {
  if (!arg) return 0;
  if (arg === 'infinity' || arg === 'inf') return Infinity;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
  if (!m) return 0;
  return Number(m[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

function runCommand(argv: string[], input: ProgramInput, run: Run, variables: Map<string, string>): void {
  if (!argv.length) return;
  const cmd = argv[0].split('/').pop()!;
  // A nested shell gets its script verbatim; other commands see variables substituted.
  const nested = cmd === 'sh' || cmd === 'bash' || cmd === 'ash';
  const args = argv.slice(1).map((a) => (nested ? a : a.replace(/\$(\w+)/g, (_, name: string) => variables.get(name) ?? '')));
  const print = (text: string) => run.out.push({ offsetMs: run.elapsed, text: dateText(text) });
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
    case 'true': case ':': case 'cd': case 'export': case 'set': case 'trap': case 'mkdir': case 'touch': case 'cp': case 'mv': case 'rm': case 'chmod': case 'ln': case 'cat': case 'kill': case 'wait': case 'test': case '[':
      run.code = 0;
      return;
    case 'false':
      run.code = 1;
      return;
    case 'date': print('\u0000DATE\u0000'); run.code = 0; return;
    case 'hostname': print(input.hostname); run.code = 0; return;
    case 'ls': for (const d of ['bin', 'dev', 'etc', 'home', 'lib', 'lib64', 'proc', 'root', 'sys', 'tmp', 'usr', 'var']) print(d); run.code = 0; return;
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
      const component = componentStartup(cmd, run.elapsed);
      if (component) run.out.push(...component);
      // Servers and anything we cannot interpret keep running, as most real workloads do.
      run.stop = 'forever';
    }
  }
}

function runNode(node: Node, input: ProgramInput, run: Run, variables: Map<string, string>): void {
  if (run.stop) return;
  switch (node.kind) {
    case 'command': runCommand(node.argv, input, run, variables); return;
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
      const body: Run = { out: [], elapsed: 0, code: 0 };
      runNode(node.body, input, body, variables);
      if (body.stop === 'exit') { run.out.push(...body.out.map((t) => ({ ...t, offsetMs: t.offsetMs + run.elapsed }))); run.elapsed += body.elapsed; run.code = body.code; run.stop = 'exit'; return; }
      loopOf.set(run, { body: body.out, periodMs: Math.max(body.elapsed, 1000) });
      run.stop = 'forever';
      return;
    }
  }
}

const loopOf = new WeakMap<Run, { body: TimedText[]; periodMs: number }>();

function runScript(script: string, input: ProgramInput, run: Run, variables: Map<string, string>): void {
  const inner: Run = { out: [], elapsed: 0, code: 0 };
  runNode(new Parser(tokenize(script, input)).parseList(), input, inner, variables);
  run.out.push(...inner.out.map((t) => ({ ...t, offsetMs: t.offsetMs + run.elapsed })));
  run.elapsed += inner.elapsed;
  run.code = inner.code;
  run.stop = inner.stop;
  const loop = loopOf.get(inner);
  if (loop) loopOf.set(run, loop);
}

/** Runs a command line on a virtual clock: what it prints, how long its finite part takes, how it ends. */
export function runShell(argv: string[], input: ProgramInput): { out: TimedText[]; elapsed: number; ending: Ending } {
  const run: Run = { out: [], elapsed: 0, code: 0 };
  runCommand(argv, input, run, new Map());
  const loop = loopOf.get(run);
  let ending: Ending;
  if (loop) ending = { kind: 'loop', ...loop };
  else if (run.stop === 'forever') ending = { kind: 'forever' };
  else ending = { kind: 'exit', code: run.code };
  return { out: run.out, elapsed: run.elapsed, ending };
}
