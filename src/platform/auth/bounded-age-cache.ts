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
  /** The value once loaded, for getNow. */
  loaded?: { value: V };
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
    entry.value.then(
      (value) => {
        entry.loaded = { value };
      },
      // A failed load must not be served to the next caller.
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry;
  }

  /** The entry that may still be served, refreshing it in the background once it is no longer fresh. */
  function servable(key: string): Entry<V> | undefined {
    const entry = entries.get(key);
    const age = entry ? Date.now() - entry.loadedAt : Number.POSITIVE_INFINITY;
    if (!entry || age >= options.maxAgeMs) return undefined;
    if (age >= options.freshMs && !entry.refreshing) {
      entry.refreshing = true;
      const startedAt = Date.now();
      const next = load(key);
      next.then(
        (value) => {
          if (entries.get(key) === entry)
            entries.set(key, { value: next, loaded: { value }, loadedAt: startedAt, refreshing: false });
        },
        () => {
          entry.refreshing = false;
        },
      );
    }
    return entry;
  }

  return {
    get(key: string): Promise<V> {
      return (servable(key) ?? fetchInto(key)).value;
    },
    /**
     * The value `get` would serve, without a promise, when it is loaded already; undefined when
     * it would have to wait (then call `get`). The hot path of every authenticated request.
     */
    getNow(key: string): { value: V } | undefined {
      return servable(key)?.loaded;
    },
    /** Drops everything: used after a local change so this process sees it at once. */
    clear(): void {
      entries.clear();
    },
  };
}
