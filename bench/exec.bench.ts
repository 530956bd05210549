import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openExec, type ExecSocket } from '../harness/execSocket.ts';
import { startWorker } from '../harness/worker.ts';
import { call, fmt, line, percentile, processCpuSeconds, serveProcess } from './lib.ts';

/**
 * Issue 15's two promises about exec sessions, on the Node entry (its own process, control plane
 * and timers on, as `npm run start:node`) and on the Worker (workerd through Miniflare, the
 * session's socket held by the cluster's Durable Object with the hibernation API):
 * - a shell left open costs no storage writes while idle: store writes (the cluster's revision),
 *   the server's CPU-seconds (and on the Worker the bytes and files of its persisted state that
 *   changed) over an idle period with 10 open `exec -it … sh` sessions, beside the same period
 *   with none;
 * - 100 concurrent sessions on one cluster each get their answers: p99 per command beside one
 *   session's p99, in the same run.
 * Sessions speak kubectl's WebSocket protocol (v5.channel.k8s.io) from this process, so the
 * figures are the server's, not 100 kubectl processes'. `EXEC_IDLE_SECONDS` sets the idle period
 * (default 35: one resync of the Node entry falls in it).
 */

interface Entry {
  label: string;
  /** The cluster's API root. */
  server: string;
  token: string;
  cpuSeconds(): number;
  /** The Worker's persisted state on disk: each file's size and modification time (size * 1e6 + mtime ms). */
  disk?(): { files: Map<string, number> };
  close(): Promise<void>;
}

const idleSeconds = Number(process.env.EXEC_IDLE_SECONDS ?? 35);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(entry: Entry, path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  // A connection each: workerd ends a kept-alive one after 5 idle seconds, under the next request.
  const answer = await call(`${entry.server}${path}`, { token: entry.token, method: options.method, body: options.body === undefined ? undefined : JSON.stringify(options.body), headers: { connection: 'close' } });
  if (answer.status >= 300) throw new Error(`${options.method ?? 'GET'} ${path}: ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as T;
}

const revision = async (entry: Entry) => Number((await api<{ metadata: { resourceVersion: string } }>(entry, '/api/v1/namespaces?limit=1')).metadata.resourceVersion);

async function nodeEntry(): Promise<Entry> {
  // Stream slots (50 per cluster by default) are raised for the 100 sessions; nothing else changes.
  const { child, port, fields } = await serveProcess('node-entry', { env: { MAX_WATCHES_PER_CLUSTER: '1000' } });
  return {
    label: 'Node entry', server: `https://127.0.0.1:${port}`, token: fields[0],
    cpuSeconds: () => processCpuSeconds(child.pid!),
    close: async () => { child.kill('SIGINT'); },
  };
}

function files(dir: string, into = new Map<string, number>()): Map<string, number> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) files(path, into); else into.set(path, stat.size * 1e6 + Math.floor(stat.mtimeMs));
  }
  return into;
}

async function workerEntry(): Promise<Entry> {
  const worker = await startWorker();
  // Miniflare starts workerd as a child of this process: the only one, in a bench run.
  const pid = Number(execFileSync('pgrep', ['-P', String(process.pid), '-x', 'workerd'], { encoding: 'utf8' }).split('\n')[0]);
  return {
    label: 'Worker', server: worker.url, token: await worker.token(),
    cpuSeconds: () => processCpuSeconds(pid),
    disk: () => ({ files: files(worker.persistTo) }),
    close: () => worker.close(),
  };
}

/** A pod to exec into, Ready, and the cluster settled (the same revision twice, two seconds apart). */
async function prepare(entry: Entry): Promise<void> {
  await api(entry, '/api/v1/namespaces/default/pods', { method: 'POST', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell' }, spec: { containers: [{ name: 'shell', image: 'busybox', command: ['sleep', '36000'] }] } } });
  type Pod = { status?: { conditions?: Array<{ type: string; status: string }> } };
  for (let i = 0; i < 600; i++) {
    const pod = await api<Pod>(entry, '/api/v1/namespaces/default/pods/shell');
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
    await sleep(200);
  }
  for (let last = -1, i = 0; i < 60; i++) {
    const now = await revision(entry);
    if (now === last) return;
    last = now;
    await sleep(2000);
  }
}

const shell = async (entry: Entry): Promise<ExecSocket & { at: number }> => {
  const session = await openExec({ server: entry.server, token: entry.token, pod: 'shell', command: ['sh'], tty: true });
  return Object.assign(session, { at: await session.waitFor('/ # ') });
};

/** One command typed into a shell: ms until its output and the next prompt are back. */
async function command(session: ExecSocket & { at: number }, marker: string): Promise<number> {
  const start = performance.now();
  session.send(`echo ${marker}\r`);
  session.at = await session.waitFor(`${marker}\r\n/ # `, session.at);
  return performance.now() - start;
}

interface Idle { writes: number; cpu: number; diskBytes?: number; diskFiles?: number }

async function idle(entry: Entry): Promise<Idle> {
  const r0 = await revision(entry), c0 = entry.cpuSeconds(), d0 = entry.disk?.();
  await sleep(idleSeconds * 1000);
  const d1 = entry.disk?.();
  // Files written, made or removed in the window, and the bytes by which files grew (a write appends to SQLite's WAL;
  // a checkpoint of earlier writes only shrinks it).
  const paths = d0 && d1 ? new Set([...d0.files.keys(), ...d1.files.keys()]) : new Set<string>();
  const changed = d0 && d1 ? [...paths].filter((path) => d0.files.get(path) !== d1.files.get(path)).length : undefined;
  const size = (v: number | undefined) => Math.floor((v ?? 0) / 1e6);
  const grown = d0 && d1 ? [...paths].reduce((n, path) => n + Math.max(0, size(d1.files.get(path)) - size(d0.files.get(path))), 0) : undefined;
  return { writes: (await revision(entry)) - r0, cpu: entry.cpuSeconds() - c0, diskBytes: grown, diskFiles: changed };
}

const idleText = (i: Idle) => `${i.writes} store writes, ${fmt(i.cpu, 2)} CPU-s${i.diskFiles === undefined ? '' : `, ${i.diskFiles} state files changed, ${i.diskBytes} bytes grown`}`;

async function measure(entry: Entry): Promise<void> {
  await prepare(entry);
  const quiet = await idle(entry);
  const sessions = await Promise.all(Array.from({ length: 10 }, () => shell(entry)));
  for (const [i, s] of sessions.entries()) await command(s, `ready${i}`);
  const held = await idle(entry);
  const alive = (await Promise.all(sessions.map((s, i) => command(s, `alive${i}`).then(() => true, () => false)))).filter(Boolean).length;
  for (const s of sessions) s.close();
  line(`${entry.label}: idle ${idleSeconds} s, no session (baseline)`, idleText(quiet));
  line(`${entry.label}: idle ${idleSeconds} s, 10 open exec -it sh sessions`, `${idleText(held)} (target 0 writes); ${alive}/10 answered after`);

  const one = await shell(entry);
  const single: number[] = [];
  for (let i = 0; i < 200; i++) single.push(await command(one, `one${i}`));
  one.close();
  const many = await Promise.all(Array.from({ length: 100 }, () => shell(entry)));
  const cpu0 = entry.cpuSeconds();
  const answered: number[] = [];
  let failed = 0;
  await Promise.all(many.map(async (s, n) => {
    for (let i = 0; i < 20; i++) {
      try { answered.push(await command(s, `s${n}c${i}`)); } catch { failed++; return; }
    }
  }));
  const cpu = entry.cpuSeconds() - cpu0;
  for (const s of many) s.close();
  const p99One = percentile(single, 99), p99Many = percentile(answered, 99);
  line(`${entry.label}: 1 session, 200 commands: p50 / p99 (baseline)`, `${fmt(percentile(single, 50))} / ${fmt(p99One)} ms`);
  line(`${entry.label}: 100 concurrent sessions x 20 commands: p50 / p99`, `${fmt(percentile(answered, 50))} / ${fmt(p99Many)} ms, ${fmt(p99Many / p99One, 2)}x; ${answered.length}/2000 answered${failed ? `, ${failed} sessions failed` : ''}; ${fmt(cpu, 2)} CPU-s`);
}

export async function run(): Promise<void> {
  const only = process.env.EXEC_ENTRY;
  for (const open of [nodeEntry, workerEntry]) {
    if (only && !open.name.toLowerCase().startsWith(only.toLowerCase())) continue;
    const entry = await open();
    try { await measure(entry); } finally { await entry.close(); }
  }
}
