/**
 * Fixed windows counted in this process's memory: a key's window opens at the first hit it counts
 * and lasts `seconds`. Synchronous, so that a request counted here pays no promise (issue 15:
 * every authenticated request is counted). Expired windows are dropped at most once per window
 * length, in one pass, instead of with a timer per key.
 */
export function createMemoryWindows(seconds: number) {
  const lengthMs = seconds * 1000;
  const windows = new Map<string, { count: number; endsAt: number }>();
  let nextSweep = Date.now() + lengthMs;

  function open(key: string, now: number) {
    const window = windows.get(key);
    return window !== undefined && window.endsAt > now ? window : undefined;
  }

  function sweep(now: number) {
    if (now < nextSweep) return;
    nextSweep = now + lengthMs;
    for (const [key, window] of windows) if (window.endsAt <= now) windows.delete(key);
  }

  return {
    /** Counts one request; the count including it (counters.ts's Count). */
    hit(key: string): { count: number; msBeforeReset: number } {
      const now = Date.now();
      sweep(now);
      let window = open(key, now);
      if (window === undefined) {
        window = { count: 0, endsAt: now + lengthMs };
        windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, msBeforeReset: window.endsAt - now };
    },
    forget(key: string): void {
      windows.delete(key);
    },
    /** Takes one request back off the key's open window, never below zero. */
    refund(key: string): void {
      const window = open(key, Date.now());
      if (window !== undefined && window.count > 0) window.count -= 1;
    },
  };
}
