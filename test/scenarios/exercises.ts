import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Kubectl } from '../../harness/kubectl.ts';
import { readClass, shippedExercises, type ClassGrade, type Student } from '../../src/cli/exercise.ts';
import { main } from '../../src/cli/main.ts';
import type { Exercise } from '../../src/teach/exercise.ts';
import { gradeCluster, kubectlFor, runSteps } from '../../src/teach/exercises.ts';
import { eventually } from '../helpers/eventually.ts';
import { cliScript } from '../helpers/cli.ts';

/**
 * Graded exercises on a class (issue 16, point 3): the teacher's CLI makes the class
 * (`cluster create --count --out-dir`), sets each exercise up in every student's cluster
 * (`exercise start`), the students solve it — the first ones with the reference solution, the
 * last `wrong` ones with the exercise's wrong solution — and `grade` must give the first 100%
 * and the others less. Solutions are data, applied through the API from this process; the
 * exercises named in `withKubectl` are solved by the first student with the real kubectl
 * instead (each step as the student would type it), and one grade runs as the teacher types it.
 */

export interface ClassEntry { url: string; adminToken: string }

export interface ExerciseClassOptions {
  /** Which shipped exercises (default: all). */
  only?: string[];
  students: number;
  /** How many of the last students make the wrong solution. */
  wrong: number;
  /** Exercises the first student solves with the real kubectl. */
  withKubectl?: string[];
  /** How long a reference solution may take to settle (live control plane). */
  settleMs: number;
  /** The class's cluster names' prefix (a shared server holds other tests' clusters too). */
  prefix: string;
}

/** The teacher's CLI in this process, its output collected. */
async function cli(entry: ClassEntry, args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main([...args, '--server', entry.url, '--admin-token', entry.adminToken], (s) => { out += typeof s === 'string' ? s : Buffer.from(s).toString(); });
  return { code, out };
}

/** The CLI as a process (built once by the runner, else through tsx), as a teacher runs it. */
function cliProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliScript(), ...args], { timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
  });
}

async function solveWithKubectl(kubectl: Kubectl, student: Student, steps: Exercise['solution']): Promise<void> {
  for (const step of steps) {
    const { args, input } = kubectlFor(step);
    // An exec waits for its pod to run, as a student would (watched through the API, not with kubectl).
    if ('exec' in step) await eventually(() => student.api.get<{ status?: { phase?: string } }>(`/api/v1/namespaces/${step.exec.namespace}/pods/${step.exec.pod}`), (p) => p?.status?.phase === 'Running', `pod ${step.exec.pod} Running`, 60_000);
    await kubectl.ok(args, input === undefined ? {} : { input });
  }
}

export function exerciseClassScenario(label: string, open: () => Promise<ClassEntry>, options: ExerciseClassOptions) {
  describe(`graded exercises on a class of ${options.students} (${label})`, () => {
    let entry: ClassEntry;
    let classDir: string;
    let students: Student[];
    const exercises = shippedExercises().filter((e) => !options.only || options.only.includes(e.name));
    const reference = (i: number) => i < options.students - options.wrong;

    before(async () => {
      entry = await open();
      classDir = mkdtempSync(join(tmpdir(), 'class-'));
      const made = await cli(entry, ['cluster', 'create', '--count', String(options.students), '--prefix', options.prefix, '--ttl', '6h', '--out-dir', classDir]);
      assert.equal(made.code, 0, made.out);
      students = readClass(classDir);
      assert.deepEqual(students.map((s) => s.name), Array.from({ length: options.students }, (_, i) => `${options.prefix}${String(i + 1).padStart(2, '0')}`));
      assert.deepEqual(students.map((s) => s.api.cluster), students.map((s) => s.name), 'each student is the cluster its kubeconfig names');
    });

    it(`sets up ${exercises.length} exercises, solves them right and wrong, and grades the reference 100% and the wrong solution below`, async () => {
      for (const e of exercises) {
        const started = await cli(entry, ['exercise', 'start', e.name, '--class', classDir]);
        assert.equal(started.code, 0, `${e.name}: ${started.out}`);
        assert.match(started.out, new RegExp(`^${students[0].name}\\s+${students[0].name}\\s+${e.name} ready$`, 'm'));
      }
      const kubectl = new Kubectl(readFileSync(join(classDir, `${students[0].name}.kubeconfig`), 'utf8'));
      await Promise.all(students.map(async (s, i) => {
        for (const e of exercises) {
          if (i === 0 && options.withKubectl?.includes(e.name)) await solveWithKubectl(kubectl, s, e.solution);
          else await runSteps(s.api, reference(i) ? e.solution : e.wrong).catch((err: Error) => { throw new Error(`${s.name}, ${e.name}: ${err.message}`); });
        }
      }));
      // The control plane settles the reference solutions (pods ready, claims bound): waited for through the API.
      for (const e of exercises) {
        await Promise.all(students.filter((_, i) => reference(i)).map((s) => eventually(() => gradeCluster(s.api, e), (r) => r.every((c) => c.ok), `${s.name}'s reference solution of ${e.name} to pass`, options.settleMs)));
      }
      for (const e of exercises) {
        const graded = await cli(entry, ['grade', e.name, '--class', classDir, '-o', 'json']);
        const grade = JSON.parse(graded.out) as ClassGrade;
        assert.equal(graded.code, options.wrong ? 1 : 0, `${e.name}: grade's exit code`);
        assert.deepEqual(grade.checks, e.checks.map((c) => c.says));
        for (const [i, s] of grade.students.entries()) {
          if (reference(i)) assert.equal(s.score, 100, `${e.name}: ${s.student} (reference) ${JSON.stringify(s.checks)}`);
          else assert.ok(s.score < 100, `${e.name}: ${s.student} (wrong solution) scored ${s.score}`);
        }
      }
    });

    it('prints the teacher a table of students × checks, and why each failure failed', async () => {
      const e = exercises.find((x) => x.name === (options.only?.[0] ?? 'fix-quota'))!;
      const { code, stdout, stderr } = await cliProcess(['grade', e.name, '--class', classDir]);
      assert.equal(code, options.wrong ? 1 : 0, stderr);
      const lines = stdout.split('\n');
      assert.match(lines[0], new RegExp(`^exercise "${e.name}" \\(${e.title.replace(/[()]/g, '\\$&')}\\), .*: ${options.students} students, ${options.students - options.wrong} with full marks$`));
      const header = e.checks.map((_, i) => String(i + 1)).join('\\s+');
      assert.match(stdout, new RegExp(`^STUDENT\\s+${header}\\s+SCORE$`, 'm'));
      const full = e.checks.map(() => '✓').join('\\s+');
      assert.match(stdout, new RegExp(`^${students[0].name}\\s+${full}\\s+${e.checks.length}/${e.checks.length} 100%$`, 'm'));
      assert.match(stdout, new RegExp(`^${students.at(-1)!.name}\\s+[✓✗\\s]*✗[✓✗\\s]*\\d+/${e.checks.length}\\s+\\d+%$`, 'm'));
      assert.match(stdout, new RegExp(`^ 1  ${e.checks[0].says.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      assert.match(stdout, /^STUDENT\s+CHECK\s+WHY$/m);
    });
  });
}
