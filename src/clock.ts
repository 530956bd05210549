import type { Clock } from './ports.ts';

/**
 * Clocks for the Clock port. Workers read time only through the port, so tests
 * move a ManualClock by hand and live demos may run a ScaledClock faster than
 * real time; the in-process queue measures its delivery delays on the same clock.
 */

/** Time that moves only when told to: deterministic tests. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(start: Date | number = Date.now()) {
    // Whole seconds: stored timestamps are second-precision, so tests compare cleanly.
    this.ms = Math.floor((typeof start === 'number' ? start : start.getTime()) / 1000) * 1000;
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): void {
    if (ms > 0) this.ms += ms;
  }

  /** Moves to `at` if it is later; time never runs backwards. */
  advanceTo(at: number): void {
    if (at > this.ms) this.ms = at;
  }
}

/**
 * Real time sped up: with timeScale 0.1 one real second is ten clock seconds.
 * The in-process queue divides its delays by the same factor, so a 10 s back-off
 * takes 1 s of real time and every timestamp still reads as 10 s.
 */
export class ScaledClock implements Clock {
  private readonly origin = Date.now();

  /**
   * `startOffsetMs` starts the clock earlier than real time: a fast clock soon runs
   * ahead of the clients' clocks, and kubectl prints ages of future times as <invalid>.
   */
  constructor(readonly timeScale: number, private readonly startOffsetMs = 0) {
    if (!(timeScale > 0)) throw new Error('timeScale must be positive');
  }

  now(): Date {
    return new Date(this.origin + this.startOffsetMs + (Date.now() - this.origin) / this.timeScale);
  }
}
