import { re2 } from '../apimachinery/re2.ts';
import { base64ToUtf8, utf8ToBase64 } from '../apimachinery/utf8.ts';

/**
 * busybox's `sed` (substitutions: `s/RE/REPLACEMENT/[g]`, `-i` in place, `-e`, `-n` with `p`,
 * and `/RE/d`) and `grep` (`-i -v -n -c -q -E -F`), over the container's files: what editing a
 * static pod manifest from a node shell takes (`sed -i 's/--xyz//' kube-scheduler.yaml`).
 * grep runs on RE2 (linear, whatever the pattern); sed's replacements need positions RE2's
 * binding does not give, so sed runs on JavaScript's RegExp and refuses a quantified group,
 * the shape that backtracks without end.
 */

/** `writes`: files rewritten in place, by the name given. */
export interface TextResult { lines: string[]; writes: Array<[string, string]>; code: number; error?: string }

/** A file's content by the name given on the command line (the shell resolves it and reports a missing one). */
type Read = (name: string) => string | undefined;

/** A basic regular expression (sed's and grep's default) in ERE syntax: `\(`, `\)`, `\{`, `\}`, `\+`, `\?`, `\|` are the operators. */
function basicToExtended(re: string): string {
  let out = '';
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\' && i + 1 < re.length) {
      const n = re[++i];
      out += '(){}+?|'.includes(n) ? n : `\\${n}`;
    } else out += '(){}+?|'.includes(c) ? `\\${c}` : c;
  }
  return out;
}

const linesOf = (content: string) => (content === '' ? [] : content.replace(/\n$/, '').split('\n'));
const fileText = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

interface Substitution { kind: 's'; re: RegExp; replacement: string; print: boolean }
interface Deletion { kind: 'd'; re: RegExp }
type Command = Substitution | Deletion;

/** A JavaScript RegExp for an ERE, or why not: a quantified group backtracks exponentially on a JavaScript engine. */
function compile(ere: string, flags: string): RegExp | string {
  if (/\)[*+?{]/.test(ere.replace(/\\\\|\\\)/g, ''))) return 'a repeated group is not supported here';
  if (re2(ere) === null) return 'bad regex';
  try { return new RegExp(ere, flags); } catch { return 'bad regex'; }
}

function parseCommand(script: string, extended: boolean): Command | string {
  const s = script.trim();
  const del = /^\/((?:\\.|[^/])*)\/d$/.exec(s);
  if (del) {
    const re = compile(extended ? del[1] : basicToExtended(del[1]), '');
    return typeof re === 'string' ? re : { kind: 'd', re };
  }
  if (s[0] !== 's' || s.length < 2) return `unsupported command ${s[0] ?? ''}`;
  const delim = s[1];
  const parts: string[] = [];
  let current = '';
  for (let i = 2; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === delim) { current += delim; i++; continue; }
    if (s[i] === '\\' && i + 1 < s.length) { current += s[i] + s[i + 1]; i++; continue; }
    if (s[i] === delim) { parts.push(current); current = ''; continue; }
    current += s[i];
  }
  if (parts.length !== 2) return `unmatched '${delim}'`;
  const [pattern, replacement] = parts;
  const flags = current;
  if (!/^[gpI]*$/.test(flags)) return `unknown option to 's'`;
  const re = compile(extended ? pattern : basicToExtended(pattern), `${flags.includes('g') ? 'g' : ''}${flags.includes('I') ? 'i' : ''}`);
  if (typeof re === 'string') return re;
  // sed's replacement: & is the match, \1…\9 the groups, \n a newline; JavaScript's $ has no meaning there.
  const js = replacement.replace(/\$/g, '$$$$').replace(/\\([0-9&n\\])|&/g, (m, e: string | undefined) => (m === '&' ? '$&' : e === '&' ? '&' : e === 'n' ? '\n' : e === '\\' ? '\\' : `$${e}`));
  return { kind: 's', re, replacement: js, print: flags.includes('p') };
}

export function sedScript(args: string[], read: Read, stdin: string | undefined): TextResult {
  let inPlace = false, quiet = false, extended = false;
  const scripts: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-i' || a.startsWith('-i')) inPlace = true;
    else if (a === '-n') quiet = true;
    else if (a === '-E' || a === '-r') extended = true;
    else if (a === '-e') scripts.push(args[++i] ?? '');
    else if (a.startsWith('-') && a.length > 1) return { lines: [], writes: [], code: 1, error: `sed: unrecognized option '${a}'` };
    else if (!scripts.length) scripts.push(a);
    else files.push(a);
  }
  if (!scripts.length) return { lines: [], writes: [], code: 1, error: 'Usage: sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...' };
  const commands: Command[] = [];
  for (const script of scripts.flatMap((s) => s.split(/;|\n/)).filter((s) => s.trim())) {
    const command = parseCommand(script, extended);
    if (typeof command === 'string') return { lines: [], writes: [], code: 1, error: `sed: -e expression #1, char ${script.length}: ${command}` };
    commands.push(command);
  }
  const edit = (lines: string[]) => {
    const out: string[] = [];
    for (const line of lines) {
      let text = line;
      let deleted = false, printed = false;
      for (const c of commands) {
        if (c.kind === 'd') { if (c.re.test(text)) { deleted = true; break; } continue; }
        c.re.lastIndex = 0;
        if (c.re.test(text)) { c.re.lastIndex = 0; text = text.replace(c.re, c.replacement); if (c.print) printed = true; }
      }
      if (deleted) continue;
      if (!quiet) out.push(text);
      if (printed) out.push(text);
    }
    return out;
  };
  if (!files.length) {
    if (inPlace) return { lines: [], writes: [], code: 1, error: 'sed: no input files' };
    return { lines: edit(linesOf(stdin ?? '')), writes: [], code: 0 };
  }
  const result: TextResult = { lines: [], writes: [], code: 0 };
  for (const name of files) {
    const content = read(name);
    if (content === undefined) { result.code = 2; continue; }
    const edited = edit(linesOf(content));
    if (inPlace) result.writes.push([name, fileText(edited)]);
    else result.lines.push(...edited);
  }
  return result;
}

export function grepLines(args: string[], read: Read, stdin: string | undefined): TextResult {
  const flags = new Set<string>();
  const rest: string[] = [];
  let pattern: string | undefined;
  /** Each `-e PATTERN`: a line matching any of them is a match. */
  const patterns: string[] = [];
  let after = 0, before = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-e') { if (args[i + 1] !== undefined) patterns.push(args[++i]); }
    else if (/^-[ABC]\d*$/.test(a)) {
      const n = Number(a.length > 2 ? a.slice(2) : args[++i]) || 0;
      if (a[1] !== 'B') after = n;
      if (a[1] !== 'A') before = n;
    }
    else if (/^-[a-zA-Z]+$/.test(a)) for (const f of a.slice(1)) flags.add(f);
    else if (pattern === undefined && !patterns.length) pattern = a;
    else rest.push(a);
  }
  if (patterns.length) pattern = patterns.length === 1 ? patterns[0] : undefined;
  if (pattern === undefined && !patterns.length) return { lines: [], writes: [], code: 2, error: 'Usage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...' };
  const one = (p: string) => (flags.has('F') ? p.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&') : flags.has('E') ? p : basicToExtended(p));
  const source = pattern !== undefined ? one(pattern) : patterns.map((p) => `(?:${one(p)})`).join('|');
  pattern ??= patterns.join('\n');
  const re = re2(`${flags.has('i') ? '(?i)' : ''}${source}`);
  if (!re) return { lines: [], writes: [], code: 2, error: `grep: bad regex '${pattern}'` };
  const inputs: Array<[string | undefined, string | undefined]> = rest.length ? rest.map((n) => [n, read(n)]) : [[undefined, stdin ?? '']];
  const result: TextResult = { lines: [], writes: [], code: 1 };
  let missing = false;
  for (const [name, content] of inputs) {
    if (content === undefined) { missing = true; continue; }
    let count = 0;
    const lines = linesOf(content);
    const shown = new Set<number>();
    lines.forEach((line, i) => {
      if (re.test(line) === flags.has('v')) return;
      count++;
      for (let j = Math.max(0, i - before); j <= Math.min(lines.length - 1, i + after); j++) shown.add(j);
    });
    if (!flags.has('c') && !flags.has('q')) {
      let last = -1;
      for (const i of [...shown].sort((a, b) => a - b)) {
        if ((after || before) && last >= 0 && i > last + 1) result.lines.push('--');
        result.lines.push(`${rest.length > 1 ? `${name}:` : ''}${flags.has('n') ? `${i + 1}:` : ''}${lines[i]}`);
        last = i;
      }
    }
    if (flags.has('c')) result.lines.push(`${rest.length > 1 ? `${name}:` : ''}${count}`);
    if (count) result.code = 0;
  }
  if (missing && result.code !== 0) result.code = 2;
  return result;
}

/** busybox's `head`/`tail` (`-n N`, `-N`) and `wc -l|-w|-c`, over files or stdin. */
export function linesCommand(cmd: 'head' | 'tail' | 'wc', args: string[], read: Read, stdin: string | undefined): TextResult {
  let count = 10;
  const flags = new Set<string>();
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-n') count = Number(args[++i] ?? 10);
    else if (/^-n\d+$/.test(a)) count = Number(a.slice(2));
    else if (/^-\d+$/.test(a)) count = Number(a.slice(1));
    else if (/^-[lwc]+$/.test(a)) for (const f of a.slice(1)) flags.add(f);
    else names.push(a);
  }
  const result: TextResult = { lines: [], writes: [], code: 0 };
  const inputs: Array<[string, string | undefined]> = names.length ? names.map((n) => [n, read(n)]) : [['', stdin ?? '']];
  for (const [name, content] of inputs) {
    if (content === undefined) { result.code = 1; continue; }
    const lines = linesOf(content);
    if (cmd === 'head') result.lines.push(...lines.slice(0, count));
    else if (cmd === 'tail') result.lines.push(...lines.slice(Math.max(0, lines.length - count)));
    else {
      const figures = [flags.has('l') || !flags.size ? lines.length : undefined, flags.has('w') || !flags.size ? content.split(/\s+/).filter(Boolean).length : undefined, flags.has('c') || !flags.size ? content.length : undefined];
      result.lines.push([...figures.filter((f) => f !== undefined).map((f) => String(f).padStart(flags.size === 1 ? 0 : 7)), name].filter(Boolean).join(' '));
    }
  }
  return result;
}

/** The filters students pipe through: `sort` (-r -n -u), `uniq` (-c), `cut` (-d -f), `tr` (SET1 SET2, -d SET), `base64` (-d), `tee FILE`. */
export const filterNames: ReadonlySet<string> = new Set(['sort', 'uniq', 'cut', 'tr', 'base64', 'tee']);

/** A set's size at most: a plane's code points, however many ranges the command line holds (bounded work). */
const maxSetSize = 0x10000;

/** busybox tr's sets: ranges such as a-z expanded, \n as a newline. */
function trSet(spec: string): string[] {
  const chars = [...spec.replace(/\\n/g, '\n').replace(/\\t/g, '\t')];
  const out: string[] = [];
  for (let i = 0; i < chars.length && out.length < maxSetSize; i++) {
    if (chars[i + 1] === '-' && i + 2 < chars.length) {
      const from = chars[i].codePointAt(0)!, to = chars[i + 2].codePointAt(0)!;
      for (let c = from; c <= to && out.length < maxSetSize; c++) out.push(String.fromCodePoint(c));
      i += 2;
    } else out.push(chars[i]);
  }
  return out;
}

export function filterCommand(cmd: string, args: string[], read: Read, stdin: string | undefined): TextResult {
  const result: TextResult = { lines: [], writes: [], code: 0 };
  const flags = new Set<string>();
  const names: string[] = [];
  let delimiter = '\t';
  let fields = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if ((cmd === 'cut') && (a === '-d' || a === '-f')) { if (a === '-d') delimiter = args[++i] ?? '\t'; else fields = args[++i] ?? ''; }
    else if (cmd === 'cut' && /^-d./.test(a)) delimiter = a.slice(2);
    else if (cmd === 'cut' && /^-f./.test(a)) fields = a.slice(2);
    else if (/^-[a-z]+$/.test(a)) for (const f of a.slice(1)) flags.add(f);
    else names.push(a);
  }
  if (cmd === 'tee') {
    const content = stdin ?? '';
    for (const name of names) result.writes.push([name, content]);
    result.lines.push(...linesOf(content));
    return result;
  }
  if (cmd === 'tr') {
    const [from = '', to = ''] = names;
    const source = trSet(from), target = trSet(to);
    const map = new Map(source.map((c, k) => [c, flags.has('d') ? '' : target[Math.min(k, target.length - 1)] ?? c]));
    const text = [...(stdin ?? '')].map((c) => map.get(c) ?? c).join('');
    result.lines.push(...linesOf(text));
    return result;
  }
  let content = '';
  for (const name of names.length ? names : ['-']) {
    const got = name === '-' ? stdin ?? '' : read(name);
    if (got === undefined) { result.code = 1; continue; }
    content += got;
  }
  if (cmd === 'base64') {
    if (flags.has('d')) {
      const clean = content.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return { ...result, code: 1, error: 'base64: invalid input' };
      result.lines.push(...linesOf(base64ToUtf8(clean)));
    } else {
      const encoded = utf8ToBase64(content);
      for (let k = 0; k < encoded.length; k += 76) result.lines.push(encoded.slice(k, k + 76));
    }
    return result;
  }
  const lines = linesOf(content);
  if (cmd === 'sort') {
    const numeric = (l: string) => Number.parseFloat(l) || 0;
    const sorted = [...lines].sort(flags.has('n') ? (a, b) => numeric(a) - numeric(b) || (a < b ? -1 : a > b ? 1 : 0) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (flags.has('r')) sorted.reverse();
    result.lines.push(...(flags.has('u') ? sorted.filter((l, k) => k === 0 || l !== sorted[k - 1]) : sorted));
    return result;
  }
  if (cmd === 'uniq') {
    for (let k = 0; k < lines.length;) {
      let n = 1;
      while (k + n < lines.length && lines[k + n] === lines[k]) n++;
      result.lines.push(flags.has('c') ? `${String(n).padStart(7)} ${lines[k]}` : lines[k]);
      k += n;
    }
    return result;
  }
  // cut -d X -f N[,M][-K]
  const wanted = new Set<number>();
  for (const part of fields.split(',')) {
    const range = /^(\d*)-(\d*)$/.exec(part);
    if (range) { const from = Number(range[1] || 1), to = Math.min(Number(range[2] || 256), 256); for (let f = from; f <= to; f++) wanted.add(f); }
    else if (/^\d+$/.test(part)) wanted.add(Number(part));
  }
  if (!wanted.size) return { ...result, code: 1, error: 'cut: you must specify a list of bytes, characters, or fields' };
  for (const line of lines) {
    if (!line.includes(delimiter)) { result.lines.push(line); continue; }
    result.lines.push(line.split(delimiter).filter((_, k) => wanted.has(k + 1)).join(delimiter));
  }
  return result;
}
