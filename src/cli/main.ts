import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { clusterClient } from './clusterClient.ts';
import { scenarioCommand, scenarioList } from './scenario.ts';
import { traceCommand } from './trace.ts';
import { exerciseCommand, gradeCommand } from './exercise.ts';
import { mapLimited } from './mapLimited.ts';
import { table } from './table.ts';
import { call, createIdleTimeoutMs, expect, send, SnapshotBody, type Options } from './adminClient.ts';
import type { ClusterHistory } from '../tenancy/history.ts';

/**
 * `apiserverless cluster …` and `apiserverless user …`: the teacher's CLI over the admin API.
 * Talks to a local (`npm start`) or deployed server; see README "Running a class".
 */
const usage = `Usage: apiserverless cluster <command> [options]
       apiserverless user create CLUSTER USER [--group G]... [--namespace NS] [--certificate [--expired]]
       apiserverless trace TYPE/NAME [-n NS] [--cluster C] [-o json] | trace start [--cluster C]
       apiserverless scenario list | apply NAME | check NAME [--cluster C]
       apiserverless exercise list | show EXERCISE [--solution] | start EXERCISE --class DIR
       apiserverless grade EXERCISE --class DIR [-o json]

Commands:
  create [NAME]           create a cluster and print its kubeconfig
      --ttl 2h            how long it lives (default 4h)
      --nodes N           node count including the control plane (default 2)
      --version v1.35.0   Kubernetes version it reports
      --count N --prefix P [--out-dir DIR]
                          create N clusters P01..PN, writing DIR/<name>.kubeconfig
  list                    list live clusters
  get NAME [--kubeconfig] show a cluster (or print a fresh kubeconfig for it)
  extend NAME --ttl 1h    extend a cluster's life and print its new kubeconfig
  delete NAME...          delete clusters and everything in them

  snapshot NAME > FILE    write the cluster's snapshot (every object, gzip'd JSON lines)
  restore NAME < FILE     replace the cluster's objects with a snapshot's; the cluster
                          keeps its uid and kubeconfigs, watches from before get 410 Gone
      --snapshot FILE     read the snapshot from FILE instead of stdin
      --from-other-cluster
                          allow a snapshot taken of another cluster
  create NAME --snapshot FILE
                          create a cluster holding a snapshot's objects (with --count:
                          a whole class starting from the same state)
  history NAME            what changed, in order, and which field manager changed it
      --since 10m         only changes in the last 10 minutes
      --events            include Events
      -o json             the admin API's answer as it is

  user create CLUSTER USER
                          print a kubeconfig for USER (not an admin) in CLUSTER
      --group G           a group of the user (repeatable)
      --namespace NS      make NS and give USER edit rights there only; the
                          kubeconfig's context defaults to NS
      --certificate       a client certificate from the cluster's CA instead of a
                          token (it logs in on the Node entry only)
      --expired           with --certificate: one that expired yesterday

  trace TYPE/NAME         the steps that made and ran an object: the request (user,
                          authentication, authorization, admission, validation, the
                          store write and its revision, the change event), the
                          scheduler's verdict per node, the kubelet's stages, each
                          status write (pod/web, deploy/web, svc/web …)
      -n NS               its namespace (default: default)
      --cluster C         the cluster (default: default)
  trace start             turn the cluster's tracing on for an hour (reading a trace
                          does too): only then are requests' own steps recorded

  scenario list           the break-and-fix scenarios
  scenario apply NAME     break the cluster as the scenario says (--cluster C)
  scenario check NAME     is it fixed? says why not (--cluster C; exit code 1 until fixed)

  exercise list           the graded exercises, by CKA domain
  exercise show EXERCISE  its task and checks (--solution: the reference and a wrong
                          solution as kubectl commands); EXERCISE is a name from the
                          list or a YAML file of your own
  exercise start EXERCISE --class DIR
                          set it up in every student's cluster; DIR holds one
                          <student>.kubeconfig each (cluster create --count N --out-dir DIR)
  grade EXERCISE --class DIR
                          students x checks (✓/✗) and a score each, with why each check
                          failed; -o json; exit code 0 only when every student has full
                          marks; --parallel N students at once (default 16)

Options:
  --server URL            default $APISERVERLESS_SERVER, the URL npm start wrote to
                          .apiserverless/server, or https://localhost:8787
  --admin-token TOKEN     default $APISERVERLESS_ADMIN_TOKEN or .apiserverless/admin-token
  --insecure              skip TLS verification (default for localhost)
`;

/** Creates a cluster; a create sent again after a dropped answer may find it made by the first: then its kubeconfig is fetched. */
async function createCluster(options: Options, name: string, spec: unknown, path = 'clusters'): Promise<Record<string, unknown>> {
  const { status, json, resent } = await call(options, 'POST', path, spec);
  if (status === 409 && resent) return kubeconfigOnceProvisioned(options, name);
  if (status >= 400) throw new Error(`${String(json.message ?? `the server answered ${status}`)}`);
  return json;
}

/**
 * The kubeconfig of a cluster the first, dropped create is still provisioning: until that
 * create has written the cluster's record, the cluster is not found. Asked again for a while.
 */
async function kubeconfigOnceProvisioned(options: Options, name: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + createIdleTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    const { status, json } = await call(options, 'GET', `clusters/${encodeURIComponent(name)}?kubeconfig=true`);
    if (status < 400) return json;
    if (status !== 404 || Date.now() > deadline) throw new Error(`${String(json.message ?? `the server answered ${status}`)}`);
    await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
  }
}

interface ClusterObject { metadata: { name: string }; status: { phase: string; expiresAt: string | null; createdAt: string; objectCount?: number } }

function remaining(expiresAt: string | null): string {
  if (!expiresAt) return 'never';
  const minutes = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 60_000));
  return minutes >= 120 ? `${Math.round(minutes / 60)}h` : `${minutes}m`;
}

/** A snapshot to restore or create from: the file named, or what is piped in. */
async function snapshotInput(file: string | undefined, command: string): Promise<SnapshotBody> {
  if (file) return new SnapshotBody(readFileSync(file));
  if (process.stdin.isTTY) throw new Error(`${command} reads a snapshot from stdin or --snapshot FILE, as in: apiserverless ${command} < alice.snap`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return new SnapshotBody(Buffer.concat(chunks));
}

function historyTable(history: ClusterHistory): string {
  const rows = [['REVISION', 'TIME', 'ACTION', 'RESOURCE', 'NAMESPACE', 'NAME', 'BY', 'CHANGED'], ...history.items.map((c) => [
    String(c.revision), c.time ?? '-', c.type, c.resource, c.namespace ?? '', c.name,
    c.manager ? `${c.manager}${c.subresource ? ` (${c.subresource})` : ''}` : '-', (c.fields ?? []).join(','),
  ])];
  const kept = history.compactedRevision > 0 ? `changes up to revision ${history.compactedRevision} are no longer kept\n` : '';
  return (history.items.length ? table(rows) + '\n' : 'No changes.\n') + kept;
}

const toStdout = (s: string | Uint8Array) => { process.stdout.write(s); };

export async function main(argv: string[], out: (s: string | Uint8Array) => void = toStdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      server: { type: 'string' }, 'admin-token': { type: 'string' }, insecure: { type: 'boolean' },
      ttl: { type: 'string' }, nodes: { type: 'string' }, version: { type: 'string' },
      count: { type: 'string' }, prefix: { type: 'string' }, 'out-dir': { type: 'string' }, kubeconfig: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      group: { type: 'string', multiple: true }, namespace: { type: 'string', short: 'n' }, certificate: { type: 'boolean' }, expired: { type: 'boolean' },
      snapshot: { type: 'string' }, 'from-other-cluster': { type: 'boolean' }, since: { type: 'string' }, events: { type: 'boolean' }, output: { type: 'string', short: 'o' },
      cluster: { type: 'string' }, class: { type: 'string' }, parallel: { type: 'string' }, solution: { type: 'boolean' },
    },
  });
  const [noun, verb, ...names] = positionals;
  if (noun === 'scenario' && verb === 'list') { out(scenarioList()); return 0; }
  // Exercises need no admin token: a class's kubeconfigs open the students' clusters.
  if (noun === 'exercise' && verb && !values.help) return exerciseCommand(verb, names[0], values, out);
  if (noun === 'grade' && verb && !values.help) return gradeCommand(verb, values, out);
  if (values.help || !['cluster', 'user', 'trace', 'scenario'].includes(noun) || !verb) { out(usage); return values.help ? 0 : 2; }
  // `npm start` leaves the URL it serves beside the admin token, so the CLI finds a server on any PORT.
  const stateDir = resolve(process.env.APISERVERLESS_STATE ?? '.apiserverless');
  const serverFile = resolve(stateDir, 'server');
  const server = values.server ?? process.env.APISERVERLESS_SERVER ?? (existsSync(serverFile) ? readFileSync(serverFile, 'utf8').trim() : 'https://localhost:8787');
  const tokenFile = resolve(stateDir, 'admin-token');
  const token = values['admin-token'] ?? process.env.APISERVERLESS_ADMIN_TOKEN ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  if (!token) throw new Error(`no admin token: pass --admin-token, set APISERVERLESS_ADMIN_TOKEN, or run npm start here (it writes ${tokenFile})`);
  const host = new URL(server).hostname;
  const options: Options = { server, token, insecure: values.insecure ?? ['localhost', '127.0.0.1', '[::1]'].includes(host) };
  const spec = (name?: string) => ({
    ...(name ? { name } : {}), ...(values.ttl ? { ttl: values.ttl } : {}),
    ...(values.nodes ? { nodes: Number(values.nodes) } : {}), ...(values.version ? { kubernetesVersion: values.version } : {}),
  });

  if (noun === 'trace') {
    out(await traceCommand(await clusterClient(options, values.cluster ?? 'default'), [verb, ...names], values.namespace, values.output === 'json'));
    return 0;
  }
  if (noun === 'scenario') {
    const cluster = values.cluster ?? 'default';
    // A scenario's kubeconfig for the student goes to a file (in --out-dir, else here), like `cluster create --out-dir`.
    const handOut = {
      issue: (body: Record<string, unknown>) => expect(options, 'POST', `clusters/${encodeURIComponent(cluster)}/users`, body) as Promise<{ kubeconfig: string; certificate?: { notAfter: string } }>,
      write: (file: string, text: string) => { const path = join(values['out-dir'] ?? '.', file); writeFileSync(path, text, { mode: 0o600 }); return path; },
    };
    return scenarioCommand(await clusterClient(options, cluster), verb, names[0], out, handOut);
  }

  if (noun === 'user') {
    const [cluster, user] = names;
    if (verb !== 'create' || !cluster || !user) { out(usage); return 2; }
    const created = await expect(options, 'POST', `clusters/${encodeURIComponent(cluster)}/users`, {
      name: user, groups: values.group ?? [], ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(values.certificate ? { certificate: { expired: values.expired === true } } : {}),
    });
    out(String(created.kubeconfig));
    return 0;
  }

  // From a snapshot, a cluster is created by POSTing the file (name and ttl in the query; nodes and version are the snapshot's).
  const fromSnapshot = verb === 'create' && values.snapshot ? await snapshotInput(values.snapshot, 'cluster create') : undefined;
  const create = (name?: string) => fromSnapshot
    ? createCluster(options, name ?? '', fromSnapshot, `clusters?${new URLSearchParams({ ...(name ? { name } : {}), ...(values.ttl ? { ttl: values.ttl } : {}) })}`)
    : createCluster(options, name ?? '', spec(name));

  switch (verb) {
    case 'snapshot': {
      if (!names[0]) throw new Error('cluster snapshot needs a NAME');
      if (out === toStdout && process.stdout.isTTY) throw new Error('a snapshot is binary: redirect it to a file, as in: apiserverless cluster snapshot alice > alice.snap');
      const { status, text, bytes } = await send(options, 'GET', `clusters/${encodeURIComponent(names[0])}/snapshot`);
      if (status >= 400) throw new Error(String((JSON.parse(text) as { message?: string }).message ?? `the server answered ${status}`));
      out(bytes);
      return 0;
    }
    case 'restore': {
      if (!names[0]) throw new Error('cluster restore needs a NAME');
      const body = await snapshotInput(values.snapshot, 'cluster restore');
      const query = values['from-other-cluster'] ? '?fromOtherCluster=true' : '';
      const done = (await expect(options, 'PUT', `clusters/${encodeURIComponent(names[0])}/snapshot${query}`, body)) as unknown as { revision: number; objects: number; snapshot: { cluster: string; revision: number; takenAt: string } };
      out(`cluster "${names[0]}" restored from the snapshot of "${done.snapshot.cluster}" at revision ${done.snapshot.revision} (taken ${done.snapshot.takenAt}): ${done.objects} objects, continuing at revision ${done.revision}\n`);
      return 0;
    }
    case 'history': {
      if (!names[0]) throw new Error('cluster history needs a NAME');
      const query = new URLSearchParams({ ...(values.since ? { since: values.since } : {}), ...(values.events ? { events: 'true' } : {}) });
      const history = (await expect(options, 'GET', `clusters/${encodeURIComponent(names[0])}/history${query.size ? `?${query}` : ''}`)) as unknown as ClusterHistory;
      out(values.output === 'json' ? JSON.stringify(history, null, 2) + '\n' : historyTable(history));
      return 0;
    }
    case 'create': {
      if (values.count) {
        const count = Number(values.count);
        if (!Number.isInteger(count) || count < 1 || count > 1000) throw new Error('--count must be between 1 and 1000');
        const prefix = values.prefix ?? 'student-';
        const width = String(count).length < 2 ? 2 : String(count).length;
        const dir = resolve(values['out-dir'] ?? '.');
        mkdirSync(dir, { recursive: true });
        const clusterNames = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
        await mapLimited(clusterNames, 8, async (name) => {
          const created = await create(name);
          writeFileSync(join(dir, `${name}.kubeconfig`), String(created.kubeconfig), { mode: 0o600 });
        });
        out(clusterNames.map((n) => `${join(dir, `${n}.kubeconfig`)}\n`).join(''));
        return 0;
      }
      const created = await create(names[0]);
      out(String(created.kubeconfig));
      return 0;
    }
    case 'list': {
      const list = (await expect(options, 'GET', 'clusters')) as unknown as { items: ClusterObject[] };
      const rows = [['NAME', 'PHASE', 'OBJECTS', 'EXPIRES IN'], ...list.items.map((c) => [c.metadata.name, c.status.phase, String(c.status.objectCount ?? ''), remaining(c.status.expiresAt)])];
      out(list.items.length ? table(rows) + '\n' : 'No clusters.\n');
      return 0;
    }
    case 'get': {
      if (!names[0]) throw new Error('cluster get needs a NAME');
      const got = await expect(options, 'GET', `clusters/${encodeURIComponent(names[0])}${values.kubeconfig ? '?kubeconfig=true' : ''}`);
      out(values.kubeconfig ? String(got.kubeconfig) : stringify(got));
      return 0;
    }
    case 'extend': {
      if (!names[0]) throw new Error('cluster extend needs a NAME');
      const extended = await expect(options, 'PATCH', `clusters/${encodeURIComponent(names[0])}`, { ttl: values.ttl ?? '1h' });
      out(String(extended.kubeconfig));
      return 0;
    }
    case 'delete': {
      if (!names.length) throw new Error('cluster delete needs at least one NAME');
      for (const name of names) {
        await expect(options, 'DELETE', `clusters/${encodeURIComponent(name)}`);
        out(`cluster "${name}" deleted\n`);
      }
      return 0;
    }
    default:
      out(usage);
      return 2;
  }
}
