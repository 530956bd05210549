/**
 * What a container does, decided from its image, command and args, as a
 * timeline: timed output lines, then an exit code or "runs forever" (possibly
 * looping). The kubelet reads exits from it; `kubectl logs` reads the lines.
 * Nothing runs: a container's output is a pure function of its start time.
 */

export interface LogLine { at: number; text: string }

export type Ending =
  | { kind: 'exit'; code: number }
  | { kind: 'forever' }
  /** `while true; do …; done`: `body` repeats every periodMs, forever. */
  | { kind: 'loop'; body: TimedText[]; periodMs: number };

/** Output at an offset from the start; `text` may depend on the absolute time (date, nginx's log stamps). */
export interface TimedText { offsetMs: number; text: string | ((atMs: number) => string) }

export interface Program {
  /** Lines printed before the ending. */
  prefix: TimedText[];
  /** How long the finite part takes. */
  durationMs: number;
  ending: Ending;
}

export interface ProgramInput {
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  /** Pod name (hostname) and IP, for programs that print them. */
  hostname: string;
  podIP?: string;
}

/** When the container exits, ms after it started (undefined: never). */
export function exitOf(program: Program): { afterMs: number; code: number } | undefined {
  return program.ending.kind === 'exit' ? { afterMs: program.durationMs, code: program.ending.code } : undefined;
}

/** Output lines with absolute times in [fromMs, toMs), for a container started at startMs. */
export function linesBetween(program: Program, startMs: number, fromMs: number, toMs: number): LogLine[] {
  const out: LogLine[] = [];
  const render = (t: TimedText, at: number) => ({ at, text: typeof t.text === 'function' ? t.text(at) : t.text });
  for (const t of program.prefix) {
    const at = startMs + t.offsetMs;
    if (at >= fromMs && at < toMs) out.push(render(t, at));
  }
  const { ending } = program;
  if (ending.kind === 'loop' && ending.body.length) {
    const loopStart = startMs + program.durationMs;
    const first = Math.max(0, Math.floor((fromMs - loopStart) / ending.periodMs));
    // Bounded: a log request never renders more than 100k loop lines.
    for (let i = first, n = 0; n < 100_000; i++) {
      const base = loopStart + i * ending.periodMs;
      if (base >= toMs) break;
      for (const t of ending.body) {
        const at = base + t.offsetMs;
        if (at >= fromMs && at < toMs) { out.push(render(t, at)); n++; }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- images

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const nginxStamp = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** busybox `date`: Mon Jan  1 00:00:00 UTC 2025. */
const dateOutput = (ms: number) => {
  const d = new Date(ms);
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
};
const redisStamp = (ms: number) => {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
};
const apacheStamp = (ms: number) => {
  const d = new Date(ms);
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000 ${d.getUTCFullYear()}`;
};

const at = (offsetMs: number, text: TimedText['text']): TimedText => ({ offsetMs, text });
const server = (lines: TimedText[]): Program => ({ prefix: lines, durationMs: 0, ending: { kind: 'forever' } });

function nginx(): Program {
  const entry = [
    '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
    '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
    '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
    '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
    '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
    '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
    '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
    '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
    '/docker-entrypoint.sh: Configuration complete; ready for start up',
  ].map((text, i) => at(i * 3, text));
  const notice = (text: string) => (ms: number) => `${nginxStamp(ms)} [notice] 1#1: ${text}`;
  const start = [
    'using the "epoll" event method', 'nginx/1.29.1', 'built by gcc 12.2.0 (Debian 12.2.0-14+deb12u1) ', 'OS: Linux 6.8.0-1029-gcp',
    'getrlimit(RLIMIT_NOFILE): 1048576:1048576', 'start worker processes', 'start worker process 29', 'start worker process 30',
  ].map((text, i) => at(40 + i, notice(text)));
  return server([...entry, ...start]);
}

function httpd(input: ProgramInput): Program {
  const ip = input.podIP ?? '127.0.0.1';
  const fqdn = `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${ip}. Set the 'ServerName' directive globally to suppress this message`;
  return server([
    at(0, fqdn), at(5, fqdn),
    at(10, (ms) => `[${apacheStamp(ms)}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.65 (Unix) configured -- resuming normal operations`),
    at(10, (ms) => `[${apacheStamp(ms)}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'`),
  ]);
}

function redis(): Program {
  const line = (role: string, text: string) => (ms: number) => `1:${role} ${redisStamp(ms)} ${text}`;
  return server([
    at(0, line('C', '* oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo')),
    at(0, line('C', '* Redis version=8.2.1, bits=64, commit=00000000, modified=1, pid=1, just started')),
    at(0, line('C', '# Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf')),
    at(1, line('M', '* monotonic clock: POSIX clock_gettime')),
    at(2, line('M', '* Running mode=standalone, port=6379.')),
    at(3, line('M', '* Server initialized')),
    at(4, line('M', '* Ready to accept connections tcp')),
  ]);
}

function database(input: ProgramInput, variable: string, error: string[]): Program {
  const env = new Map((input.env ?? []).map((e) => [e.name, e.value]));
  if (env.get(variable) || env.has(`${variable}_FILE`)) return server([at(0, 'Database system is ready to accept connections')]);
  return { prefix: error.map((t, i) => at(i, t)), durationMs: 50, ending: { kind: 'exit', code: 1 } };
}

/** klog's header: I1125 13:24:35.123456       1 file.go:123] message. */
const klog = (file: string, text: string) => (ms: number) => {
  const d = new Date(ms);
  return `I${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000       1 ${file}] ${text}`;
};

/** A few start-up lines of the control-plane components, so their logs are not empty. */
const componentLogs: Record<string, Array<[string, string]>> = {
  'kube-apiserver': [['options.go:249', 'external host was not specified, using 192.168.0.10'], ['server.go:175', '"Version info" version="v1.35.0"'], ['secure_serving.go:211', 'Serving securely on [::]:6443'], ['controller.go:667', 'quota admission added evaluator for: endpoints']],
  etcd: [['etcd.go:64', '"Running: " args=["etcd"]'], ['etcd.go:310', '"starting an etcd server" etcd-version="3.6.5"'], ['serve.go:220', '"serving client traffic securely" address="127.0.0.1:2379"']],
  'kube-scheduler': [['serving.go:386', 'Generated self-signed cert in-memory'], ['server.go:167', '"Starting Kubernetes Scheduler" version="v1.35.0"'], ['leaderelection.go:271', 'successfully acquired lease kube-system/kube-scheduler']],
  'kube-controller-manager': [['serving.go:386', 'Generated self-signed cert in-memory'], ['controllermanager.go:193', '"Starting" version="v1.35.0"'], ['leaderelection.go:271', 'successfully acquired lease kube-system/kube-controller-manager']],
  'kube-proxy': [['server_linux.go:53', '"Using iptables proxy"'], ['server.go:719', '"Successfully retrieved node IP(s)"'], ['shared_informer.go:357', '"Caches are synced" controller="service config"']],
};

const coredns = (): Program => server([
  '.:53', '[INFO] plugin/reload: Running configuration SHA512 = 1b226df79860026c6a52e67daa10d7f0d57ec5b023288ec00c5e05f93523c894564e15b91770d3a07ae1cfbe861d15b37d4a0027e69c546ab112970993a3b03b',
  'CoreDNS-1.12.4', 'linux/amd64, go1.24.6, 1391c2a',
].map((t, i) => at(i, t)));

const helloWorld = [
  '', 'Hello from Docker!', 'This message shows that your installation appears to be working correctly.', '',
  'To generate this message, Docker took the following steps:', ' 1. The Docker client contacted the Docker daemon.',
  ' 2. The Docker daemon pulled the "hello-world" image from the Docker Hub.', '    (amd64)',
  ' 3. The Docker daemon created a new container from that image which runs the', '    executable that produces the output you are currently reading.',
  ' 4. The Docker daemon streamed that output to the Docker client, which sent it', '    to your terminal.', '',
  'To try something more ambitious, you can run an Ubuntu container with:', ' $ docker run -it ubuntu bash', '',
  'Share images, automate workflows, and more with a free Docker ID:', ' https://hub.docker.com/', '',
  'For more examples and ideas, visit:', ' https://docs.docker.com/get-started/', '',
];

/** The repository's last path segment: `docker.io/library/nginx:1.27` → `nginx`. */
export function imageBase(image: string): string {
  const withoutDigest = image.split('@')[0];
  const last = withoutDigest.split('/').pop() ?? withoutDigest;
  return last.split(':')[0].toLowerCase();
}

/** Images whose default command is a shell or REPL: with no terminal attached they exit 0 at once. */
const shellImages = new Set(['busybox', 'alpine', 'ubuntu', 'debian', 'centos', 'fedora', 'rockylinux', 'almalinux', 'amazonlinux', 'python', 'node', 'ruby', 'golang', 'openjdk', 'perl', 'php', 'bash']);

function imageDefault(input: ProgramInput): Program {
  const base = imageBase(input.image);
  if (base === 'nginx' || base.startsWith('nginx-')) return nginx();
  if (base === 'httpd') return httpd(input);
  if (base === 'redis') return redis();
  if (base === 'coredns') return coredns();
  if (base === 'hello-world') return { prefix: helloWorld.map((t, i) => at(i, t)), durationMs: 30, ending: { kind: 'exit', code: 0 } };
  if (base === 'postgres') {
    return database(input, 'POSTGRES_PASSWORD', [
      'Error: Database is uninitialized and superuser password is not specified.',
      '       You must specify POSTGRES_PASSWORD to a non-empty value for the',
      '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".',
    ]);
  }
  if (base === 'mysql' || base === 'mariadb') {
    return database(input, base === 'mysql' ? 'MYSQL_ROOT_PASSWORD' : 'MARIADB_ROOT_PASSWORD', [
      '[ERROR] [Entrypoint]: Database is uninitialized and password option is not specified',
      '    You need to specify one of the following as an environment variable:',
      '    - MYSQL_ROOT_PASSWORD', '    - MYSQL_ALLOW_EMPTY_PASSWORD', '    - MYSQL_RANDOM_ROOT_PASSWORD',
    ]);
  }
  if (shellImages.has(base)) return { prefix: [], durationMs: 100, ending: { kind: 'exit', code: 0 } };
  return server([]);
}

// ---------------------------------------------------------------- a small shell

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
      const component = componentLogs[cmd];
      if (component) run.out.push(...component.map(([file, text], i) => ({ offsetMs: run.elapsed + i * 7, text: klog(file, text) })));
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

/** The program a container runs: its command (or the image's entrypoint) with its args. */
export function programFor(input: ProgramInput): Program {
  const argv = input.command?.length ? [...input.command, ...(input.args ?? [])] : input.args?.length ? input.args : undefined;
  if (!argv) return imageDefault(input);
  const base = argv[0].split('/').pop()!;
  // Flags alone go to the image's own entrypoint (coredns -conf …); so do nginx's own command lines.
  if (base.startsWith('-') || base === 'docker-entrypoint.sh' || (base === 'nginx' && imageBase(input.image) === 'nginx')) return imageDefault(input);
  const run: Run = { out: [], elapsed: 0, code: 0 };
  runCommand(argv, input, run, new Map());
  const loop = loopOf.get(run);
  let ending: Ending;
  if (loop) ending = { kind: 'loop', ...loop };
  else if (run.stop === 'forever') ending = { kind: 'forever' };
  else ending = { kind: 'exit', code: run.code };
  // A process that exits still takes a moment; `echo` is not instantaneous either.
  return { prefix: run.out, durationMs: run.elapsed + (ending.kind === 'exit' ? 100 : 0), ending };
}
