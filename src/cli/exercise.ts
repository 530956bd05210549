import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { CheckResult } from '../teach/checks.ts';
import type { ClusterApi } from '../teach/client.ts';
import { domains, parseExercise, type Domain, type Exercise } from '../teach/exercise.ts';
import { describeStep, gradeCluster, startExercise } from '../teach/exercises.ts';
import { kubeconfigClient } from './clusterClient.ts';
import { mapLimited } from './mapLimited.ts';
import { table } from './table.ts';

/**
 * `apiserverless exercise list | show | start` and `apiserverless grade`: exercises from YAML
 * files (the shipped ones in exercises/, or any file a teacher writes), set up in and graded
 * on every cluster of a class. A class is a directory of kubeconfigs, one per student, as
 * `apiserverless cluster create --count N --out-dir DIR` writes them: the student is the file's
 * name without `.kubeconfig`, the cluster is the one its server URL names, and each student's
 * cluster is reached with that kubeconfig's own token (no admin token is needed to grade).
 */

/** The exercises that ship with apiserverless. */
export const shippedDir = fileURLToPath(new URL('../../exercises/', import.meta.url));

function readExercise(file: string): Exercise {
  let doc: unknown;
  try { doc = parse(readFileSync(file, 'utf8')); } catch (err) { throw new Error(`${file} is not YAML: ${err instanceof Error ? err.message : String(err)}`); }
  return parseExercise(doc, file);
}

/** Every shipped exercise, by domain (in the curriculum's order), then name. */
export function shippedExercises(dir = shippedDir): Exercise[] {
  const order = Object.keys(domains);
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => readExercise(join(dir, f)))
    .sort((a, b) => order.indexOf(a.domain) - order.indexOf(b.domain) || a.name.localeCompare(b.name));
}

/** An exercise by a file's path, or a shipped exercise's name. */
export function loadExercise(nameOrFile: string): Exercise {
  if (/\.ya?ml$/.test(nameOrFile) || nameOrFile.includes('/')) {
    if (!existsSync(nameOrFile)) throw new Error(`no exercise file ${nameOrFile}`);
    return readExercise(nameOrFile);
  }
  const shipped = join(shippedDir, `${nameOrFile}.yaml`);
  if (/^[a-z0-9-]+$/.test(nameOrFile) && existsSync(shipped)) return readExercise(shipped);
  throw new Error(`no exercise "${nameOrFile}": name a YAML file or one of apiserverless exercise list`);
}

export interface Student { name: string; api: ClusterApi }

/** The students of a class directory, by name. */
export function readClass(dir: string): Student[] {
  if (!existsSync(dir)) throw new Error(`no class directory ${dir}: make one with apiserverless cluster create --count N --out-dir ${dir}`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.kubeconfig')).sort();
  if (!files.length) throw new Error(`${dir} holds no *.kubeconfig files: make them with apiserverless cluster create --count N --out-dir ${dir}`);
  return files.map((f) => ({ name: f.slice(0, -'.kubeconfig'.length), api: kubeconfigClient(readFileSync(join(dir, f), 'utf8'), join(dir, f)) }));
}

/** How many students are set up or graded at once: enough to overlap their round trips, few enough for a laptop's sockets. */
export const defaultParallel = 16;

export function exerciseList(exercises = shippedExercises()): string {
  const rows = [['NAME', 'DOMAIN', 'CHECKS', 'TITLE'], ...exercises.map((e) => [e.name, e.domain, String(e.checks.length), e.title])];
  return `${table(rows)}\n`;
}

export function exerciseShow(e: Exercise, solutions: boolean): string {
  const lines = [
    `${e.name}: ${e.title}`, `Domain: ${domains[e.domain as Domain]}`, '', e.task.trimEnd(), '',
    ...(e.setup.scenario ? [`Setup: the break-and-fix scenario ${e.setup.scenario}`] : []),
    ...(e.setup.steps?.length ? [`Setup: ${e.setup.steps.length} step${e.setup.steps.length === 1 ? '' : 's'} (apiserverless exercise start applies them)`] : []),
    'Checks:', ...e.checks.map((c, i) => `  ${i + 1}  ${c.says}`),
  ];
  if (solutions) lines.push('', 'Reference solution:', ...e.solution.map(describeStep), '', 'A wrong solution (graded below 100%):', ...e.wrong.map(describeStep));
  return `${lines.join('\n')}\n`;
}

export interface Outcome { student: string; cluster: string; error?: string }

/** `exercise start`: the exercise set up in every student's cluster, `parallel` at a time; exit code 1 if any failed. */
export async function startClass(e: Exercise, students: Student[], parallel: number, out: (s: string) => void): Promise<number> {
  const outcomes = await mapLimited(students, parallel, async (s): Promise<Outcome> => {
    try { await startExercise(s.api, e); return { student: s.name, cluster: s.api.cluster }; } catch (err) { return { student: s.name, cluster: s.api.cluster, error: err instanceof Error ? err.message : String(err) }; }
  });
  const rows = [['STUDENT', 'CLUSTER', 'EXERCISE'], ...outcomes.map((o) => [o.student, o.cluster, o.error ? `failed: ${o.error}` : `${e.name} ready`])];
  out(`${table(rows)}\n`);
  return outcomes.some((o) => o.error) ? 1 : 0;
}

export interface StudentGrade { student: string; cluster: string; passed: number; total: number; score: number; checks: CheckResult[]; error?: string }
export interface ClassGrade { exercise: string; domain: Domain; checks: string[]; students: StudentGrade[] }

export async function gradeClass(e: Exercise, students: Student[], parallel: number): Promise<ClassGrade> {
  const graded = await mapLimited(students, parallel, async (s): Promise<StudentGrade> => {
    const checks = await gradeCluster(s.api, e);
    const passed = checks.filter((c) => c.ok).length;
    return { student: s.name, cluster: s.api.cluster, passed, total: checks.length, score: Math.round((100 * passed) / checks.length), checks };
  });
  return { exercise: e.name, domain: e.domain, checks: e.checks.map((c) => c.says), students: graded };
}

/** The teacher's table: students × checks (✓/✗), a score each, then the checks' texts and why each failure failed. */
export function gradeTable(g: ClassGrade, title: string): string {
  const header = ['STUDENT', ...g.checks.map((_, i) => String(i + 1)), 'SCORE'];
  const rows = g.students.map((s) => [s.student, ...s.checks.map((c) => (c.ok ? '✓' : '✗')), `${s.passed}/${s.total} ${String(s.score).padStart(3)}%`]);
  const failures = g.students.flatMap((s) => s.checks.map((c, i) => (c.ok ? undefined : [s.student, String(i + 1), c.why])).filter((r): r is string[] => r !== undefined));
  const full = g.students.filter((s) => s.score === 100).length;
  return [
    `exercise "${g.exercise}" (${title}), ${domains[g.domain]}: ${g.students.length} student${g.students.length === 1 ? '' : 's'}, ${full} with full marks`, '',
    table([header, ...rows]), '',
    ...g.checks.map((says, i) => `${String(i + 1).padStart(2)}  ${says}`),
    ...(failures.length ? ['', table([['STUDENT', 'CHECK', 'WHY'], ...failures])] : []),
  ].join('\n') + '\n';
}

/** `apiserverless exercise list|show|start …`. */
export async function exerciseCommand(verb: string, target: string | undefined, options: { class?: string; parallel?: string; solution?: boolean }, out: (s: string) => void): Promise<number> {
  if (verb === 'list') { out(exerciseList()); return 0; }
  if (!target) throw new Error(`exercise ${verb} needs an exercise: a name from apiserverless exercise list, or a YAML file`);
  const e = loadExercise(target);
  if (verb === 'show') { out(exerciseShow(e, options.solution === true)); return 0; }
  if (verb === 'start') return startClass(e, readClass(classDir(options.class, 'exercise start')), parallelOf(options.parallel), out);
  throw new Error(`exercise ${verb}: the commands are list, show and start (and apiserverless grade)`);
}

/** `apiserverless grade EXERCISE --class DIR [-o json]`: exit code 0 when every student has full marks, 1 otherwise. */
export async function gradeCommand(target: string | undefined, options: { class?: string; parallel?: string; output?: string }, out: (s: string) => void): Promise<number> {
  if (!target) throw new Error('grade needs an exercise: a name from apiserverless exercise list, or a YAML file');
  const e = loadExercise(target);
  const graded = await gradeClass(e, readClass(classDir(options.class, 'grade')), parallelOf(options.parallel));
  out(options.output === 'json' ? `${JSON.stringify(graded, null, 2)}\n` : gradeTable(graded, e.title));
  return graded.students.every((s) => s.score === 100) ? 0 : 1;
}

function classDir(dir: string | undefined, command: string): string {
  if (!dir) throw new Error(`${command} needs --class DIR: a directory of the students' kubeconfigs (apiserverless cluster create --count N --out-dir DIR)`);
  return resolve(dir);
}

function parallelOf(value: string | undefined): number {
  const n = value === undefined ? defaultParallel : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error('--parallel must be between 1 and 256');
  return n;
}
