/**
 * Where background work reads the time. Retry schedules span days, so tests move a clock forward
 * instead of waiting; production reads the system clock.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Real time plus an offset that tests move forward. It keeps running, so rows stamped by
 * PostgreSQL's now() a moment ago are already in this clock's past, as with the system clock.
 */
export class ManualClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
