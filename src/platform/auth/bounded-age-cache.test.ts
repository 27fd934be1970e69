import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBoundedAgeCache } from "./bounded-age-cache.js";

const OPTIONS = { freshMs: 250, maxAgeMs: 900, maxEntries: 10 };

/** A loader whose loads the test settles one by one. */
function controlledLoader() {
  const pending: Array<{ key: string; resolve: (v: string) => void; reject: (e: Error) => void }> = [];
  const load = (key: string) =>
    new Promise<string>((resolve, reject) => {
      pending.push({ key, resolve, reject });
    });
  return { load, pending };
}

/** A cache whose key "k" was loaded as "v1" just now. */
async function loadedCache() {
  const loader = controlledLoader();
  const cache = createBoundedAgeCache(loader.load, OPTIONS);
  const first = cache.get("k");
  loader.pending[0]?.resolve("v1");
  await first;
  return { cache, loader };
}

describe("the credential cache's getNow (the authenticated request's path without a promise)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("has nothing before a load, nor while it runs; then the loaded value, as get serves it", async () => {
    const loader = controlledLoader();
    const cache = createBoundedAgeCache(loader.load, OPTIONS);
    expect(cache.getNow("k")).toBeUndefined();
    expect(loader.pending).toHaveLength(0);
    const got = cache.get("k");
    expect(cache.getNow("k")).toBeUndefined();
    loader.pending[0]?.resolve("v1");
    expect(await got).toBe("v1");
    expect(cache.getNow("k")).toEqual({ value: "v1" });
  });

  it("past freshMs serves the value while one refresh runs; the refreshed value replaces it", async () => {
    const { cache, loader } = await loadedCache();
    vi.advanceTimersByTime(300);
    expect(cache.getNow("k")).toEqual({ value: "v1" });
    expect(cache.getNow("k")).toEqual({ value: "v1" });
    expect(loader.pending).toHaveLength(2);
    loader.pending[1]?.resolve("v2");
    await vi.advanceTimersByTimeAsync(0);
    expect(cache.getNow("k")).toEqual({ value: "v2" });
  });

  it("never serves a value older than maxAgeMs, and never a failed load", async () => {
    const { cache, loader } = await loadedCache();
    vi.advanceTimersByTime(300);
    cache.getNow("k");
    loader.pending[1]?.reject(new Error("database down"));
    await vi.advanceTimersByTimeAsync(600);
    expect(cache.getNow("k")).toBeUndefined();
    const failing = cache.get("k");
    loader.pending[2]?.reject(new Error("database down"));
    await expect(failing).rejects.toThrow("database down");
    expect(cache.getNow("k")).toBeUndefined();
  });
});
