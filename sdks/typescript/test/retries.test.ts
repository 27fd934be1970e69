import { afterEach, describe, expect, it, vi } from "vitest";
import { retryDelayMs } from "../src/core/retry.js";
import { RateLimitError, type RetryEvent, Voltasis } from "../src/index.js";
import { apiError, ok, rateLimited, rejection, stubFetch } from "./stub-fetch.js";

const BASE = "http://api.test";

afterEach(() => {
  vi.useRealTimers();
});

describe("retries", () => {
  it("waits exactly Retry-After before retrying a 429, then returns the answer", async () => {
    vi.useFakeTimers();
    const stub = stubFetch(rateLimited(2), ok({ id: "prj_1", name: "Apollo" }));
    const retries: RetryEvent[] = [];
    const client = new Voltasis({
      apiKey: "k",
      baseURL: BASE,
      fetch: stub.fetch,
      onRetry: (e) => retries.push(e),
    });

    const project = client.projects.retrieve("prj_1");
    await vi.advanceTimersByTimeAsync(1999);
    expect(stub.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(stub.requests).toHaveLength(2);
    await expect(project).resolves.toEqual({ id: "prj_1", name: "Apollo" });
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ method: "GET", retry: 1, delayMs: 2000 });
    expect(retries[0]?.error).toBeInstanceOf(RateLimitError);
  });

  it("sends one Idempotency-Key (a UUID v4) on every attempt of a POST", async () => {
    const stub = stubFetch(
      apiError(503, "SERVICE_UNAVAILABLE", "Overloaded", {}, { "Retry-After": "0" }),
      new TypeError("fetch failed"),
      ok({ id: "prj_1" }, {}, 201),
    );
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch });

    await expect(client.projects.create({ name: "Apollo" })).resolves.toEqual({ id: "prj_1" });
    expect(stub.requests).toHaveLength(3);
    const keys = stub.requests.map((r) => r.headers.get("idempotency-key"));
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(keys).size).toBe(1);
    expect(stub.requests.every((r) => r.body === '{"name":"Apollo"}')).toBe(true);
  });

  it("a new call gets a new key; the caller's key wins; a GET sends none", async () => {
    const stub = stubFetch(ok({ id: "prj_1" }, {}, 201));
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch });

    await client.projects.create({ name: "A" });
    await client.projects.create({ name: "A" });
    await client.projects.update("prj_1", { name: "B" }, { idempotencyKey: "my-key-1" });
    await client.projects.retrieve("prj_1");
    const keys = stub.requests.map((r) => r.headers.get("idempotency-key"));
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe("my-key-1");
    expect(keys[3]).toBeNull();
  });

  it("gives up after maxRetries (default 2) and raises the last error", async () => {
    const stub = stubFetch(rateLimited(0));
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch });

    const error = await rejection(client.projects.retrieve("prj_1"));
    expect(stub.requests).toHaveLength(3);
    expect(error).toBeInstanceOf(RateLimitError);
  });

  it("with retries off a 429 raises RateLimitError carrying retry_after at once", async () => {
    const stub = stubFetch(rateLimited(7));
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch, maxRetries: 0 });

    const error = await rejection<RateLimitError>(client.tags.list());
    expect(stub.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, code: "RATE_LIMIT_EXCEEDED", retryAfter: 7 });
    expect(error.details).toEqual({ retry_after: 7, reason: "credential_limit" });
  });

  it("does not wait out a Retry-After of more than a minute (a daily cap)", async () => {
    const stub = stubFetch(rateLimited(3600));
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch });

    const error = await rejection<RateLimitError>(client.tags.list());
    expect(stub.requests).toHaveLength(1);
    expect(error.retryAfter).toBe(3600);
  });

  it("retries 409 IDEMPOTENCY_KEY_IN_USE (its own attempt still running) but not other 4xx", async () => {
    const stub = stubFetch(
      apiError(409, "IDEMPOTENCY_KEY_IN_USE", "Still running", {}, { "Retry-After": "0" }),
      ok({ id: "te_1" }, {}, 201),
    );
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch });
    await expect(client.timeEntries.start({ description: "x" })).resolves.toEqual({ id: "te_1" });
    expect(stub.requests).toHaveLength(2);

    for (const [status, code] of [
      [400, "VALIDATION_ERROR"],
      [409, "CONFLICT"],
      [500, "INTERNAL_ERROR"],
    ] as const) {
      const once = stubFetch(apiError(status, code, "no"), ok({}));
      const other = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: once.fetch });
      await expect(other.timeEntries.start({ description: "x" })).rejects.toMatchObject({ status, code });
      expect(once.requests, `${status} ${code}`).toHaveLength(1);
    }
  });

  it("a retry's wait ends when the caller aborts", async () => {
    const stub = stubFetch(rateLimited(30));
    const controller = new AbortController();
    const client = new Voltasis({
      apiKey: "k",
      baseURL: BASE,
      fetch: stub.fetch,
      onRetry: () => controller.abort(),
    });
    const error = await rejection(client.tags.retrieve("tag_1", { signal: controller.signal }));
    expect(error.name).toBe("APIUserAbortError");
    expect(stub.requests).toHaveLength(1);
  });
});

describe("backoff without Retry-After", () => {
  it("is 0.5 s × 2^n less up to a quarter of jitter, capped at 8 s", () => {
    const none = () => 0;
    const most = () => 1;
    expect([0, 1, 2, 3, 4, 5, 9].map((retry) => retryDelayMs({ retry, random: none }))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(retryDelayMs({ retry: 0, random: most })).toBe(375);
    expect(retryDelayMs({ retry: 5, random: most })).toBe(6000);
  });

  it("Retry-After wins, in seconds or as an HTTP date", () => {
    expect(retryDelayMs({ retry: 0, retryAfterHeader: "3" })).toBe(3000);
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    const delay = retryDelayMs({ retry: 0, retryAfterHeader: inTwoSeconds }) as number;
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(2000);
    expect(retryDelayMs({ retry: 0, retryAfterHeader: "61" })).toBeUndefined();
    expect(retryDelayMs({ retry: 0, retryAfterHeader: "soon", random: () => 0 })).toBe(500);
  });
});
