import { RequestTrace } from '../../trace/requestTrace.ts';
import type { TraceSink } from '../../trace/types.ts';
import type { KubeObject } from '../../registry/types.ts';

/** One node's fate in a scheduling cycle: the filter plugin that rejected it (and why), or its weighted score. */
export interface NodeVerdict {
  node: string;
  rejectedBy?: string;
  reasons?: string[];
  score?: number;
}

/**
 * kube-scheduler's decision about one pod, as its trace shows it: each node's filter verdict,
 * the scores of the feasible ones, and the bind (or why none). Recorded only where a TraceSink
 * is configured, in this process's memory.
 */
export function recordDecision(sink: TraceSink | undefined, cluster: string, at: Date, pod: KubeObject, verdicts: NodeVerdict[], outcome: { node?: string; revision?: number; message?: string }): void {
  if (!sink?.recording(cluster)) return;
  const trace = new RequestTrace('scheduling', at.toISOString());
  trace.object = { group: '', resource: 'pods', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name!, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) };
  for (const v of verdicts) {
    const detail = v.rejectedBy ? `filter: rejected by ${v.rejectedBy}: ${v.reasons?.join('; ')}` : `filter: feasible${v.score === undefined ? '' : `, score ${Math.round(v.score)}`}`;
    trace.add('scheduler', detail, { name: v.node });
  }
  if (outcome.node) trace.add('scheduler', `bound to ${outcome.node} through pods/binding (spec.nodeName) at revision ${outcome.revision}`, { name: outcome.node, ...(outcome.revision ? { revision: outcome.revision } : {}) });
  else trace.add('scheduler', `not bound: ${outcome.message ?? 'no feasible node'}`, { refused: true });
  sink.record(cluster, trace.finish()!);
}
