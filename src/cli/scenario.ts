import { applyWrite } from '../teach/apply.ts';
import { runChecks } from '../teach/checks.ts';
import type { ClusterApi } from '../teach/client.ts';
import { findScenario, scenarios } from '../teach/scenarios/index.ts';

/** `apiserverless scenario list`: name and summary. */
export function scenarioList(): string {
  const width = Math.max(...scenarios.map((s) => s.name.length));
  return ['NAME'.padEnd(width + 3) + 'WHAT IS BROKEN', ...scenarios.map((s) => s.name.padEnd(width + 3) + s.summary)].join('\n') + '\n';
}

/**
 * `apiserverless scenario apply NAME` breaks the cluster with the scenario's writes (as its
 * admin, through the ordinary API); `scenario check NAME` runs its checks and says fixed or
 * not, and why (exit code 0 when fixed, 1 when not).
 */
export async function scenarioCommand(api: ClusterApi, verb: string, name: string | undefined, out: (s: string) => void): Promise<number> {
  const scenario = name ? findScenario(name) : undefined;
  if (!scenario) throw new Error(name ? `no scenario "${name}": apiserverless scenario list shows them` : `scenario ${verb} needs a NAME`);
  if (verb === 'apply') {
    for (const write of scenario.breaks) await applyWrite(api, write);
    out(`scenario "${scenario.name}" applied to cluster "${api.cluster}": ${scenario.summary}\nSymptom: ${scenario.symptom}\n`);
    return 0;
  }
  if (verb === 'check') {
    const results = await runChecks(api, scenario.checks);
    const fixed = results.every((r) => r.ok);
    out(`scenario "${scenario.name}" on cluster "${api.cluster}": ${fixed ? 'FIXED' : 'NOT FIXED'}\n`);
    for (const r of results) out(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.says}${r.ok ? '' : `: ${r.why}`}\n`);
    return fixed ? 0 : 1;
  }
  if (verb === 'show') {
    out(`${scenario.name}: ${scenario.summary}\nSymptom: ${scenario.symptom}\nFix: ${scenario.fix}\n`);
    return 0;
  }
  throw new Error(`scenario ${verb}: the commands are list, apply, check and show`);
}
