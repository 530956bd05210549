import type { Schedule } from '../../registry/cron.ts';

/**
 * When a cron schedule fires next (github.com/robfig/cron/v3 SpecSchedule.Next),
 * in a time zone: the search runs on wall-clock time and jumps a month, a day or
 * an hour at a time when that field cannot match, so even a yearly schedule
 * takes a few dozen steps.
 */

const minuteMs = 60_000, hourMs = 3_600_000, dayMs = 86_400_000;

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
/** Offset of a zone from UTC at an instant, in ms (what Go's time.In gives). */
function offset(zone: string | undefined, at: number): number {
  if (!zone || zone === 'UTC' || zone === 'Etc/UTC') return 0;
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    zoneFormats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second);
  return wall - Math.floor(at / 1000) * 1000;
}

/** robfig's dayMatches: with `*` in either day field both must match, otherwise either may. */
function dayMatches(s: Schedule, wall: Date): boolean {
  const dom = s.dayOfMonth.has(wall.getUTCDate()), dow = s.dayOfWeek.has(wall.getUTCDay());
  const domStar = s.dayOfMonth.size === 31, dowStar = s.dayOfWeek.size === 7;
  return domStar || dowStar ? dom && dow : dom || dow;
}

/** The first time strictly after `after` (ms) that the schedule fires; undefined if none within five years. */
function nextTick(s: Schedule, after: number, zone?: string): number | undefined {
  if (s.everySeconds) return Math.floor(after / 1000) * 1000 + s.everySeconds * 1000;
  const shift = offset(zone, after);
  let t = Math.floor((after + shift) / minuteMs) * minuteMs + minuteMs;
  const limit = t + 5 * 366 * dayMs;
  while (t < limit) {
    const wall = new Date(t);
    if (!s.month.has(wall.getUTCMonth() + 1)) { t = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 1); continue; }
    if (!dayMatches(s, wall)) { t = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate() + 1); continue; }
    if (!s.hour.has(wall.getUTCHours())) { t = Math.floor(t / hourMs) * hourMs + hourMs; continue; }
    if (!s.minute.has(wall.getUTCMinutes())) { t += minuteMs; continue; }
    // Back from wall-clock time to an instant, with the offset in force then.
    const instant = t - offset(zone, t - shift);
    return instant > after ? instant : nextTick(s, after + minuteMs, zone);
  }
  return undefined;
}

/**
 * mostRecentScheduleTime: the latest tick in (earliest, now], if any, and the
 * tick after now (when to look again). Missed ticks collapse into the most
 * recent one, as the CronJob controller only ever starts that one.
 */
export function dueTicks(s: Schedule, earliest: number, now: number, zone?: string): { mostRecent?: number; next?: number } {
  let t = nextTick(s, earliest, zone);
  if (t === undefined || t > now) return { next: t };
  if (s.everySeconds) {
    const step = s.everySeconds * 1000;
    const mostRecent = t + Math.floor((now - t) / step) * step;
    return { mostRecent, next: mostRecent + step };
  }
  let mostRecent = t;
  // After a long idle spell, jump close to now instead of walking every missed tick.
  if (now - t > 7 * dayMs) t = nextTick(s, now - 7 * dayMs, zone) ?? t;
  for (let i = 0; i < 100_000 && t !== undefined && t <= now; i++) {
    mostRecent = t;
    t = nextTick(s, t, zone);
  }
  return { mostRecent, next: t };
}
