import { stringify } from 'yaml';
import { applyWrite } from './apply.ts';
import { runCheck, type CheckResult } from './checks.ts';
import type { ClusterApi } from './client.ts';
import type { Exercise, ExecStep, Step } from './exercise.ts';
import { describeRef, objectPath } from './paths.ts';
import { findScenario } from './scenarios/index.ts';
import type { Write } from './types.ts';

/**
 * What the exercise tools do to one cluster: set an exercise up (its scenario's breaks, then its
 * setup steps), make a solution's steps (the tests' student), and grade it (every check, each
 * failure with its reason). Many clusters at once are the CLI's business (cli/exercise.ts).
 */

/** How long an exec step waits for its pod's container to run (a pod a solution has just created). */
const execWaitMs = 90_000;

const isExec = (step: Step): step is ExecStep & { kubectl?: string } => 'exec' in step;

async function execStep(api: ClusterApi, { exec }: ExecStep): Promise<string> {
  const deadline = Date.now() + execWaitMs;
  for (let attempt = 0; ; attempt++) {
    const run = await api.exec(exec.namespace, exec.pod, exec.command, exec.container);
    // Refused before it started (the pod is not there or not running yet): what a student waits out too.
    if (run.code === -1 && Date.now() < deadline) { await new Promise((r) => setTimeout(r, Math.min(1000, 100 * 1.5 ** attempt))); continue; }
    if (run.code !== 0) throw new Error(`exec in pod ${exec.namespace}/${exec.pod}: ${run.message ?? run.stderr.trim() ?? `exit code ${run.code}`}`);
    return `exec in pod ${exec.namespace}/${exec.pod}: ${exec.command.join(' ')}`;
  }
}

/** Makes one step through the cluster's API (writes as applyWrite makes them; execs as kubectl exec). */
export const runStep = (api: ClusterApi, step: Step): Promise<string> => (isExec(step) ? execStep(api, step) : applyWrite(api, step as Write));

export async function runSteps(api: ClusterApi, steps: Step[]): Promise<void> {
  for (const step of steps) await runStep(api, step);
}

/** Sets the exercise up in a cluster: its scenario's breaks, then its own setup steps (each idempotent). */
export async function startExercise(api: ClusterApi, exercise: Exercise): Promise<void> {
  if (exercise.setup.scenario) {
    const scenario = findScenario(exercise.setup.scenario);
    if (!scenario) throw new Error(`exercise "${exercise.name}" names no known scenario "${exercise.setup.scenario}"`);
    for (const write of scenario.breaks) await applyWrite(api, write);
  }
  await runSteps(api, exercise.setup.steps ?? []);
}

/** Every check on one cluster, in the exercise's order; a check that cannot be run fails with the reason. */
export function gradeCluster(api: ClusterApi, exercise: Exercise): Promise<CheckResult[]> {
  return Promise.all(exercise.checks.map((check) => runCheck(api, check).catch((err: unknown): CheckResult => ({ ok: false, says: check.says, why: err instanceof Error ? err.message : String(err) }))));
}

/** A step as a student types it: kubectl's arguments and what goes to its stdin. */
export interface KubectlCommand { args: string[]; input?: string }

/** `kubectl create role x --verb=get,list --resource=pods` → its words, with '…' and "…" quoting as a shell reads it. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined, quote: string | undefined;
  for (const ch of line) {
    if (quote) { if (ch === quote) quote = undefined; else word += ch; continue; }
    if (ch === "'" || ch === '"') { quote = ch; word ??= ''; continue; }
    if (/\s/.test(ch)) { if (word !== undefined) words.push(word); word = undefined; continue; }
    word = (word ?? '') + ch;
  }
  if (quote) throw new Error(`unbalanced ${quote} in: ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** `deployments.apps`: how kubectl names a kind's resource unambiguously. */
function resourceOf(apiVersion: string, kind: string): string {
  const plural = objectPath({ apiVersion, kind, name: 'x' }).split('/').at(-2)!;
  return apiVersion.includes('/') ? `${plural}.${apiVersion.split('/')[0]}` : plural;
}

/** The kubectl command for a step: its own `kubectl` line, or the one its write or exec amounts to. */
export function kubectlFor(step: Step): KubectlCommand {
  if (step.kubectl) return { args: shellWords(step.kubectl).slice(1) };
  if (isExec(step)) {
    const e = step.exec;
    return { args: ['exec', '-n', e.namespace, e.pod, ...(e.container ? ['-c', e.container] : []), '--', ...e.command] };
  }
  const write = step as Write;
  if ('apply' in write) return { args: ['apply', '-f', '-'], input: stringify(write.apply) };
  // What a student without ssh types for a script on a node: a debug pod with the host's root.
  if ('onNode' in write) return { args: ['debug', `node/${write.onNode}`, '--image=busybox', '--', 'chroot', '/host', 'sh', '-c', write.script] };
  const ref = 'patch' in write ? write.patch : write.delete;
  const target = [resourceOf(ref.apiVersion, ref.kind), ref.name, ...(ref.namespace ? ['-n', ref.namespace] : [])];
  if ('patch' in write) return { args: ['patch', ...target, '--type=merge', '-p', JSON.stringify(write.merge)] };
  return { args: ['delete', ...target, '--ignore-not-found'] };
}

/** A step as a line to show a teacher (`exercise show --solution`). */
export function describeStep(step: Step): string {
  const { args, input } = kubectlFor(step);
  const line = `kubectl ${args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ')}`;
  if (input === undefined) return line;
  const m = (step as { apply: { kind: string; metadata: { name: string; namespace?: string } } }).apply;
  return `${line} <<'EOF'   # ${describeRef({ apiVersion: '', kind: m.kind, name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) })}\n${input}EOF`;
}
