import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryWindows } from "./memory-windows.js";

describe("rate-limit windows in memory", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("a window opens at the key's first hit, counts each hit, and reports the time left in it", () => {
    const windows = createMemoryWindows(60);
    expect(windows.hit("a")).toEqual({ count: 1, msBeforeReset: 60_000 });
    vi.advanceTimersByTime(15_000);
    expect(windows.hit("a")).toEqual({ count: 2, msBeforeReset: 45_000 });
    expect(windows.hit("b")).toEqual({ count: 1, msBeforeReset: 60_000 });
  });

  it("when the window ends the next hit opens a new one, whether or not the old one was swept", () => {
    const windows = createMemoryWindows(60);
    windows.hit("a");
    windows.hit("a");
    vi.advanceTimersByTime(60_000);
    expect(windows.hit("a")).toEqual({ count: 1, msBeforeReset: 60_000 });
    // Past the sweep's time too: the expired "a" of a minute ago is gone, the new one counts on.
    vi.advanceTimersByTime(59_999);
    expect(windows.hit("a")).toEqual({ count: 2, msBeforeReset: 1 });
    vi.advanceTimersByTime(1);
    expect(windows.hit("a")).toEqual({ count: 1, msBeforeReset: 60_000 });
  });

  it("a refund takes one hit back, never below zero, and only in an open window", () => {
    const windows = createMemoryWindows(60);
    windows.hit("a");
    windows.refund("a");
    windows.refund("a");
    expect(windows.hit("a").count).toBe(1);
    vi.advanceTimersByTime(60_000);
    windows.refund("a");
    expect(windows.hit("a").count).toBe(1);
  });

  it("forget closes the key's window", () => {
    const windows = createMemoryWindows(60);
    windows.hit("a");
    vi.advanceTimersByTime(30_000);
    windows.forget("a");
    expect(windows.hit("a")).toEqual({ count: 1, msBeforeReset: 60_000 });
  });
});
