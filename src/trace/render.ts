import type { Span, Trace, TraceEntry } from './types.ts';

type Row = [step: string, time: string, detail: string];

/** Admission per phase: the plugins that neither changed nor refused anything in one line, then each that did. */
function admissionLines(spans: Span[]): Row[] {
  const out: Row[] = [];
  for (const phase of ['mutating', 'validating']) {
    const mine = spans.filter((s) => !s.refused && s.detail.startsWith(phase));
    const quiet = mine.filter((s) => /: (no change|admitted)$/.test(s.detail));
    if (quiet.length) out.push(['admission', '', `${phase}, ${phase === 'mutating' ? 'no change' : 'admitted'}: ${quiet.map((s) => s.name).join(', ')}`]);
    for (const s of mine) if (!quiet.includes(s)) out.push(['admission', ms(s), `${s.name}: ${s.detail}`]);
  }
  for (const s of spans) if (s.refused) out.push(['admission', ms(s), `${s.name}: REFUSED: ${s.detail}`]);
  return out;
}

const ms = (s: Span) => (s.ms === undefined ? '' : `${s.ms.toFixed(2)} ms`);

function spanLines(entry: TraceEntry): Row[] {
  const out: Row[] = [];
  let admission: Span[] = [];
  const flush = () => { if (admission.length) out.push(...admissionLines(admission)); admission = []; };
  for (const s of entry.spans) {
    if (s.step === 'admission') { admission.push(s); continue; }
    flush();
    const detail = `${s.name ? `${s.name}: ` : ''}${s.refused ? `REFUSED: ${s.detail}` : s.detail}`;
    out.push([s.step, ms(s), detail]);
  }
  flush();
  return out;
}

/** `apiserverless trace pod/web`: each entry's head line, then its steps indented. */
export function renderTrace(trace: Trace): string {
  const o = trace.object;
  const what = `${o.group ? `${o.resource}.${o.group}` : o.resource}/${o.name}${o.namespace ? ` in namespace ${o.namespace}` : ''}`;
  const lines = [`${what}${o.uid ? ` (uid ${o.uid})` : ''}, cluster ${trace.cluster}, at revision ${trace.revision}${trace.exists ? '' : ' (it does not exist now)'}`];
  for (const entry of trace.entries) {
    // Stored times are to the second; a request's own, kept in memory, to the millisecond.
    const time = entry.time ? entry.time.slice(11).replace(/Z$/, '') : '-';
    lines.push('', `${time.padEnd(12)} ${entry.revision !== undefined ? `rev ${entry.revision}` : '-'}  ${entry.by}  ${entry.summary}`);
    const rows = spanLines(entry);
    const width = Math.max(0, ...rows.map((r) => r[0].length));
    for (const [step, time, detail] of rows) lines.push(`    ${step.padEnd(width)}  ${time.padStart(9)}  ${detail}`);
  }
  if (!trace.entries.length) lines.push('', 'Nothing is known about it: no write in the change log, no Event, no request kept in memory.');
  for (const note of trace.notes) lines.push('', `Note: ${note}`);
  return lines.join('\n') + '\n';
}
