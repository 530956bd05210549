import { imageBase } from './imageOutput.ts';
import { absolute as normalize, isDir, type Disk } from './shell.ts';
import { readTar, TarError, writeTar } from './tar.ts';

/**
 * The `tar` of a container, as `kubectl cp` runs it: `tar cf - PATH` (pod → local: the
 * archive on stdout, a warning for the stripped leading `/` on stderr) and
 * `tar -xmf - -C DIR` (local → pod: the archive on stdin). busybox and alpine images carry
 * busybox's tar, the others GNU tar; each fails in its own words and exit code.
 * Files are text here (the container's filesystem holds strings): what is extracted is
 * read as UTF-8.
 */


export interface TarResult {
  stdout: Uint8Array;
  stderr: string;
  code: number;
  /** Files extracted (path → content), in archive order. */
  writes: Array<{ path: string; content: string }>;
  /** Directories extracted. */
  dirs: string[];
}

/** What one extraction may write: a container's ephemeral storage is not unbounded either. */
export const maxExtractBytes = 4 << 20;

interface Flavor {
  stripped: (what: string) => string;
  missing: (path: string) => string;
  noDir: (dir: string) => string;
  notTar: string;
  full: string;
  failed: string;
  /** Exit code of a failed run. */
  code: number;
}

const busybox: Flavor = {
  stripped: (what) => `tar: removing leading '${what}' from member names\n`,
  missing: (path) => `tar: ${path}: No such file or directory\n`,
  noDir: (dir) => `tar: can't change directory to '${dir}': No such file or directory\n`,
  notTar: 'tar: invalid tar magic\n',
  full: 'tar: write error: No space left on device\n',
  failed: 'tar: error exit delayed from previous errors\n',
  code: 1,
};

const gnu: Flavor = {
  stripped: (what) => `tar: Removing leading \`${what}' from member names\n`,
  missing: (path) => `tar: ${path}: Cannot stat: No such file or directory\n`,
  noDir: (dir) => `tar: ${dir}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`,
  notTar: 'tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n',
  full: 'tar: write error: No space left on device\n',
  failed: 'tar: Exiting with failure status due to previous errors\n',
  code: 2,
};

const flavorOf = (image: string) => (['busybox', 'alpine'].includes(imageBase(image)) ? busybox : gnu);

interface TarArgs { mode: 'c' | 'x' | 't' | undefined; file: string | undefined; dir: string | undefined; paths: string[]; bad?: string }

/** tar's arguments: the first may be bundled letters without a dash (`cf`), `-C DIR`, long options ignored. */
function parseArgs(args: string[]): TarArgs {
  const out: TarArgs = { mode: undefined, file: undefined, dir: undefined, paths: [] };
  const takes: Array<'file' | 'dir'> = [];
  for (const [i, arg] of args.entries()) {
    if (takes.length) { out[takes.shift()!] = arg; continue; }
    if (arg.startsWith('--')) continue;
    const letters = arg.startsWith('-') ? arg.slice(1) : i === 0 ? arg : undefined;
    if (letters === undefined || !letters) { out.paths.push(arg); continue; }
    for (const l of letters) {
      if (l === 'c' || l === 'x' || l === 't') out.mode = l;
      else if (l === 'f') takes.push('file');
      else if (l === 'C') takes.push('dir');
      else if (!'mvpoh'.includes(l)) out.bad = l;
    }
  }
  return out;
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder();
const empty = new Uint8Array(0);
const result = (partial: Partial<TarResult>): TarResult => ({ stdout: empty, stderr: '', code: 0, writes: [], dirs: [], ...partial });

/** Runs tar with its stdin (all of it: extraction reads the archive to its end). */
export function runTar(args: string[], image: string, disk: Disk, stdin: Uint8Array, nowSec: number): TarResult {
  const flavor = flavorOf(image);
  const parsed = parseArgs(args);
  if (parsed.bad || !parsed.mode) return result({ stderr: `tar: ${parsed.bad ? `invalid option -- '${parsed.bad}'` : 'need at least one option'}\n`, code: flavor.code });
  if (parsed.file !== undefined && parsed.file !== '-') return result({ stderr: `tar: ${parsed.file}: Cannot open: Read-only file system\n`, code: flavor.code });
  return parsed.mode === 'c' ? create(parsed, flavor, disk, nowSec) : extract(parsed, flavor, disk, stdin);
}

function create(args: TarArgs, flavor: Flavor, disk: Disk, nowSec: number): TarResult {
  let stderr = '';
  let failed = false;
  let warned = false;
  const base = args.dir ? normalize(args.dir) : '/';
  const entries: Parameters<typeof writeTar>[0] = [];
  for (const given of args.paths) {
    const path = normalize(given.startsWith('/') ? given : `${base}/${given}`);
    // GNU tar names the stripped prefix as soon as it reads the name; busybox when it writes the member.
    const strip = () => { if (given.startsWith('/') && !warned) { warned = true; stderr += flavor.stripped('/'); } };
    if (flavor === gnu) strip();
    const name = given.startsWith('/') ? path.slice(1) : given.replace(/\/+$/, '');
    const content = disk.files.get(path);
    if (content !== undefined) {
      if (flavor === busybox) strip();
      entries.push({ name, type: 'file', data: encoder.encode(content), mode: 0o644, mtimeSec: nowSec });
      continue;
    }
    if (!isDir(disk, path)) { stderr += flavor.missing(given); failed = true; continue; }
    if (flavor === busybox) strip();
    entries.push({ name: `${name}/`, type: 'dir', data: empty, mode: 0o755, mtimeSec: nowSec });
    const prefix = path === '/' ? '/' : `${path}/`;
    const under = new Set<string>();
    for (const d of disk.dirs) if (d.startsWith(prefix)) under.add(d);
    const files = [...disk.files.keys()].filter((f) => f.startsWith(prefix));
    for (const f of files) {
      // Each directory between the one named and the file is a member of its own, before the file.
      for (let i = f.indexOf('/', prefix.length); i > 0; i = f.indexOf('/', i + 1)) under.add(f.slice(0, i));
    }
    const members = [...under].map((d) => ({ path: d, dir: true })).concat(files.map((f) => ({ path: f, dir: false })));
    members.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const m of members) {
      const member = `${name}/${m.path.slice(prefix.length)}`;
      if (m.dir) entries.push({ name: `${member}/`, type: 'dir', data: empty, mode: 0o755, mtimeSec: nowSec });
      else entries.push({ name: member, type: 'file', data: encoder.encode(disk.files.get(m.path) ?? ''), mode: 0o644, mtimeSec: nowSec });
    }
  }
  if (failed) stderr += flavor.failed;
  return result({ stdout: writeTar(entries), stderr, code: failed ? flavor.code : 0 });
}

function extract(args: TarArgs, flavor: Flavor, disk: Disk, stdin: Uint8Array): TarResult {
  const base = normalize(args.dir ?? '/');
  if (!isDir(disk, base)) return result({ stderr: flavor.noDir(args.dir ?? '/'), code: flavor.code });
  if (stdin.length > maxExtractBytes) return result({ stderr: flavor.full, code: flavor.code });
  let entries;
  try {
    entries = readTar(stdin);
  } catch (err) {
    if (!(err instanceof TarError)) throw err;
    return result({ stderr: stdin.length ? flavor.notTar : '', code: stdin.length ? flavor.code : 0 });
  }
  const out = result({});
  for (const e of entries) {
    // Members are placed under -C whatever they say: `..` and a leading `/` cannot leave it.
    const path = normalize(`${base}/${e.name.split('/').filter((p) => p !== '..').join('/')}`);
    if (e.name.startsWith('/') || e.name.split('/').includes('..')) out.stderr ||= flavor.stripped(e.name.startsWith('/') ? '/' : '../');
    if (e.type === 'dir') out.dirs.push(path);
    else if (e.type === 'file') out.writes.push({ path, content: utf8.decode(e.data) });
  }
  if (args.mode === 't') return result({ stdout: encoder.encode(entries.map((e) => `${e.name}\n`).join('')) });
  return out;
}
