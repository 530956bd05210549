import { createMiddleware } from 'hono/factory';
import type { Clock } from '../ports.ts';
import { RequestTrace } from '../trace/requestTrace.ts';
import type { TraceSink } from '../trace/types.ts';
import type { PipelineEnv } from './context.ts';

const writes = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Step 2, the trace: while the cluster's tracing is on, a write's steps are recorded as it passes
 * the pipeline (each step appends to `trace`) and kept in the process's TraceSink once answered —
 * only when the request was authenticated into a live cluster, so an anonymous caller cannot fill
 * a cluster's share. Reads are not traced. Otherwise this step only passes the request on.
 */
export function trace(sink: TraceSink | undefined, clock: Clock) {
  return createMiddleware<PipelineEnv>(async (c, next) => {
    if (!sink || !writes.has(c.req.method) || !sink.recording(c.get('cluster'))) return next();
    const recording = new RequestTrace('request', clock.now().toISOString());
    c.set('trace', recording);
    await next();
    const target = c.get('target');
    if (!c.get('record') || target?.kind !== 'resource') return;
    const url = c.get('url');
    recording.object ??= { group: target.group, resource: target.resource, namespace: target.underNamespace ? target.namespace ?? '' : '', name: target.name ?? '' };
    const what = `${target.verb} ${target.resource}${target.subresource ? `/${target.subresource}` : ''}`;
    recording.spans.unshift({
      step: 'request', at: 0, ms: Math.round(recording.now() * 100) / 100,
      detail: `${c.req.method} ${c.get('rest')}${url.search} (${what}) → ${c.res.status}${c.req.header('user-agent') ? `, ${c.req.header('user-agent')}` : ''}`,
    });
    sink.record(c.get('cluster'), recording.finish(c.res.status)!);
  });
}
