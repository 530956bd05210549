/**
 * Standard cron schedules as CronJobs accept them (github.com/robfig/cron/v3
 * ParseStandard): five fields or a descriptor (@hourly, @every 1h30m, ...).
 * parseSchedule returns the error text the real parser gives, which the API
 * server puts verbatim into `spec.schedule: Invalid value: ...`.
 */

export interface Schedule {
  minute: Set<number>; hour: Set<number>; dayOfMonth: Set<number>; month: Set<number>; dayOfWeek: Set<number>;
  /** Set for `@every <duration>`: run every this many seconds. */
  everySeconds?: number;
}

interface Bounds { min: number; max: number; names?: Record<string, number> }

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const fields: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(months.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(days.map((d, i) => [d, i])) },
];

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

class CronError extends Error {}

function parseNumber(text: string, bounds: Bounds): number {
  const named = bounds.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^[+-]?\d+$/.test(text)) throw new CronError(`failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${text}`);
  return n;
}

function parseRange(expr: string, bounds: Bounds, out: Set<number>): void {
  const slash = expr.split('/');
  const hyphen = slash[0].split('-');
  let start: number, end: number;
  const star = slash[0] === '*' || slash[0] === '?';
  if (star) {
    start = bounds.min; end = bounds.max;
  } else {
    start = parseNumber(hyphen[0], bounds);
    if (hyphen.length === 1) end = start;
    else if (hyphen.length === 2) end = parseNumber(hyphen[1], bounds);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (slash.length === 2) {
    step = parseNumber(slash[1], bounds);
    // `N/step` means N through the field's maximum
    if (!star && hyphen.length === 1) end = bounds.max;
    if (step <= 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  } else if (slash.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < bounds.min) throw new CronError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new CronError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  for (let i = start; i <= end; i += step) out.add(i);
}

/** Go's time.ParseDuration for the units schedules use (h, m, s, ms). */
function parseDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, 'µs': 1e-6, ns: 1e-9 };
  let total = 0;
  for (const [, n, , u] of text.matchAll(/(\d+(\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(n) * unit[u];
  return total;
}

function parse(spec: string): Schedule {
  let text = spec.trim();
  if (!text) throw new CronError('empty spec string');
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const space = text.indexOf(' ');
    const zone = text.slice(text.indexOf('=') + 1, space < 0 ? undefined : space);
    if (!isTimeZone(zone)) throw new CronError(`provided bad location ${zone}: unknown time zone ${zone}`);
    text = space < 0 ? '' : text.slice(space).trim();
  }
  if (text.startsWith('@')) {
    if (text.startsWith('@every ')) {
      const duration = text.slice('@every '.length).trim();
      const seconds = parseDuration(duration);
      if (seconds === undefined) throw new CronError(`failed to parse duration ${text}: time: invalid duration ${JSON.stringify(duration)}`);
      const all = (b: Bounds) => { const s = new Set<number>(); for (let i = b.min; i <= b.max; i++) s.add(i); return s; };
      return { minute: all(fields[0]), hour: all(fields[1]), dayOfMonth: all(fields[2]), month: all(fields[3]), dayOfWeek: all(fields[4]), everySeconds: Math.max(1, Math.floor(seconds)) };
    }
    const expanded = descriptors[text];
    if (!expanded) throw new CronError(`unrecognized descriptor: ${text}`);
    text = expanded;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new CronError(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`);
  const sets = parts.map((part, i) => {
    const out = new Set<number>();
    for (const expr of part.split(',')) parseRange(expr, fields[i], out);
    return out;
  });
  return { minute: sets[0], hour: sets[1], dayOfMonth: sets[2], month: sets[3], dayOfWeek: sets[4] };
}

/** A parsed schedule, or the parser's error message. */
export function parseSchedule(spec: string): { schedule: Schedule } | { error: string } {
  try {
    return { schedule: parse(spec) };
  } catch (err) {
    if (err instanceof CronError) return { error: err.message };
    throw err;
  }
}

/** An IANA time zone name the runtime knows (Go's time.LoadLocation). */
export function isTimeZone(zone: string): boolean {
  if (!zone || zone === 'Local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
