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
/** What a scenario that hands out a kubeconfig needs of the admin API: a user's, as `user create` makes it. */
export type IssueUser = (body: Record<string, unknown>) => Promise<{ kubeconfig: string; certificate?: { notAfter: string } }>;

export async function scenarioCommand(api: ClusterApi, verb: string, name: string | undefined, out: (s: string) => void, handOut?: { issue: IssueUser; write: (file: string, text: string) => string }): Promise<number> {
  const scenario = name ? findScenario(name) : undefined;
  if (!scenario) throw new Error(name ? `no scenario "${name}": apiserverless scenario list shows them` : `scenario ${verb} needs a NAME`);
  if (verb === 'apply') {
    for (const write of scenario.breaks) await applyWrite(api, write);
    out(`scenario "${scenario.name}" applied to cluster "${api.cluster}": ${scenario.summary}\nSymptom: ${scenario.symptom}\n`);
    const given = scenario.handsOut;
    if (given && handOut) {
      const issued = await handOut.issue({ name: given.user, groups: given.groups, ...(given.namespace ? { namespace: given.namespace } : {}), certificate: given.certificate });
      const path = handOut.write(given.file, issued.kubeconfig);
      out(`Hand the student ${path} (user ${given.user}${issued.certificate ? `, client certificate valid until ${issued.certificate.notAfter}` : ''})\n`);
    }
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
