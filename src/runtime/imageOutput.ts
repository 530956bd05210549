import type { Program, ProgramInput, TimedText } from './timeline.ts';

/**
 * Canned output of well-known images (nginx, httpd, redis, databases, coredns,
 * hello-world, the control-plane components): what their entrypoints print, with
 * the time stamps each one prints in.
 */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const nginxStamp = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** busybox `date`: Mon Jan  1 00:00:00 UTC 2025; with `+FORMAT` (`date +%Y-%m-%d`), strftime's common conversions. */
export const dateOutput = (ms: number, format = '+%a %b %e %H:%M:%S %Z %Y') => {
  const d = new Date(ms);
  const conversions: Record<string, () => string> = {
    Y: () => String(d.getUTCFullYear()), y: () => pad(d.getUTCFullYear() % 100), m: () => pad(d.getUTCMonth() + 1), d: () => pad(d.getUTCDate()),
    e: () => String(d.getUTCDate()).padStart(2, ' '), H: () => pad(d.getUTCHours()), M: () => pad(d.getUTCMinutes()), S: () => pad(d.getUTCSeconds()),
    a: () => days[d.getUTCDay()], b: () => months[d.getUTCMonth()], Z: () => 'UTC', z: () => '+0000', s: () => String(Math.floor(ms / 1000)),
    T: () => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`, F: () => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    D: () => `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear() % 100)}`, n: () => '\n', t: () => '\t', '%': () => '%',
  };
  return format.slice(1).replace(/%(.)/g, (all, c: string) => conversions[c]?.() ?? all);
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

/** The version the nginx image's log prints and its server answers with (httpServer.ts). */
export const nginxVersion = '1.29.1';

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
    'using the "epoll" event method', `nginx/${nginxVersion}`, 'built by gcc 12.2.0 (Debian 12.2.0-14+deb12u1) ', 'OS: Linux 6.8.0-1029-gcp',
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

/** What an image's own entrypoint prints when the pod gives no command. */
export function imageDefault(input: ProgramInput): Program {
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

/** A control-plane component's start-up lines (kube-apiserver, etcd, ...) from offsetMs; undefined for other commands. */
export function componentStartup(command: string, offsetMs: number): TimedText[] | undefined {
  if (!Object.hasOwn(componentLogs, command)) return undefined;
  return componentLogs[command].map(([file, text], i) => ({ offsetMs: offsetMs + i * 7, text: klog(file, text) }));
}
