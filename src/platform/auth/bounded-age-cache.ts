export interface BoundedAgeCacheOptions {
  /** Served without a second thought while younger than this. */
  freshMs: number;
  /**
   * Never served when older than this: a change made on another process (a revoked key, a
   * changed role) is seen within `maxAgeMs` even though no process tells this one about it.
   * Between `freshMs` and `maxAgeMs` an entry is served while a refresh runs in the background.
   */
  maxAgeMs: number;
  maxEntries: number;
}

interface Entry<V> {
  value: Promise<V>;
  loadedAt: number;
  refreshing: boolean;
}

/**
 * A read-through cache for the hot path of authentication: a busy credential costs one query per
 * `freshMs` per process instead of one per request, and staleness is bounded by `maxAgeMs`.
 */
export function createBoundedAgeCache<V>(load: (key: string) => Promise<V>, options: BoundedAgeCacheOptions) {
  const entries = new Map<string, Entry<V>>();

  function fetchInto(key: string): Entry<V> {
    const entry: Entry<V> = { value: load(key), loadedAt: Date.now(), refreshing: false };
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
    // A failed load must not be served to the next caller.
    entry.value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    return entry;
  }

  return {
    get(key: string): Promise<V> {
      const entry = entries.get(key);
      const age = entry ? Date.now() - entry.loadedAt : Number.POSITIVE_INFINITY;
      if (!entry || age >= options.maxAgeMs) return fetchInto(key).value;
      if (age >= options.freshMs && !entry.refreshing) {
        entry.refreshing = true;
        const startedAt = Date.now();
        const next = load(key);
        next.then(
          () => {
            if (entries.get(key) === entry)
              entries.set(key, { value: next, loadedAt: startedAt, refreshing: false });
          },
          () => {
            entry.refreshing = false;
          },
        );
      }
      return entry.value;
    },
    /** Drops everything: used after a local change so this process sees it at once. */
    clear(): void {
      entries.clear();
    },
  };
}
