import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeServer } from '../harness/server.ts';
import { gradeClass, loadExercise, readClass, type Student } from '../src/cli/exercise.ts';
import { main } from '../src/cli/main.ts';
import { handleMessage } from '../src/controlplane/index.ts';
import { systemClock } from '../src/ports.ts';
import { InProcessQueue } from '../src/queue/memory.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { gradeCluster, runSteps, startExercise } from '../src/teach/exercises.ts';
import { fmt, line, median, timed } from './lib.ts';

/**
 * Issue 16 point 3: `apiserverless grade` over a class of 30 (Node entry, memory store, control
 * plane live), for three exercises whose checks read objects, list and count them, ask
 * SubjectAccessReviews and exec into pods. The baseline is the same grading one student after
 * the other (`--parallel 1`), in the same run; the last figure is the CLI as a teacher runs it,
 * a process of its own (Node's start included).
 */
const students = 30;
const exercises = ['rbac-role-binding', 'daemonset-all-nodes', 'configmap-volume'];

export async function run(): Promise<void> {
  const queue = new InProcessQueue({ clock: systemClock, mode: 'live', onError: (err) => console.error('control plane error:', err) });
  const server = await startNodeServer({ store: new MemoryStore(), queue });
  queue.consume((message) => handleMessage({ ports: server.ports, catalog: server.catalog }, message));
  const classDir = mkdtempSync(join(tmpdir(), 'grade-bench-'));
  const cli = (args: string[]) => main([...args, '--server', server.url, '--admin-token', server.adminToken], () => {});
  try {
    const made = await timed(() => cli(['cluster', 'create', '--count', String(students), '--prefix', 'student-', '--out-dir', classDir]));
    line(`${students} clusters created (cluster create --count)`, `${fmt(made.ms)} ms`);
    const klass: Student[] = readClass(classDir);
    for (const name of exercises) {
      const e = loadExercise(name);
      await Promise.all(klass.map(async (s) => { await startExercise(s.api, e); await runSteps(s.api, e.solution); }));
      // Graded once the control plane has settled every solution, so each run grades the same state.
      for (const s of klass) {
        for (let i = 0; i < 600 && !(await gradeCluster(s.api, e)).every((c) => c.ok); i++) await new Promise((r) => setTimeout(r, 100));
      }
      const serial: number[] = [], concurrent: number[] = [];
      for (let round = 0; round < 3; round++) {
        serial.push((await timed(() => gradeClass(e, klass, 1))).ms);
        concurrent.push((await timed(() => gradeClass(e, klass, 16))).ms);
      }
      const s = median(serial), c = median(concurrent);
      line(`${name} (${e.checks.length} checks) × ${students}: one by one`, `${fmt(s)} ms`);
      line(`${name} × ${students}: 16 at a time (grade's default)`, `${fmt(c)} ms (${fmt(s / c, 2)}× faster)`);
    }
    const cliRun = await timed(() => new Promise<number>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'grade', 'configmap-volume', '--class', classDir], () => resolve(child.exitCode ?? -1));
    }));
    line(`apiserverless grade configmap-volume --class (30), a process`, `${fmt(cliRun.ms)} ms, exit ${cliRun.value} (target: under 10 s)`);
  } finally {
    queue.close();
    await server.close();
  }
}
