import { afterEach, describe, expect, it, vi } from "vitest";
import VoltasisDefault, { DEFAULT_BASE_URL, Voltasis } from "../src/index.js";
import { ok, stubFetch } from "./stub-fetch.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("configuration", () => {
  it("reads VOLTASIS_API_KEY and VOLTASIS_BASE_URL when no option is given", async () => {
    vi.stubEnv("VOLTASIS_API_KEY", "vlt_test_fromenv");
    vi.stubEnv("VOLTASIS_BASE_URL", "http://env.test:8080/");
    const stub = stubFetch(ok({ id: "usr_1" }));

    await new Voltasis({ fetch: stub.fetch }).auth.me();
    expect(stub.requests[0]?.url.toString()).toBe("http://env.test:8080/v1/auth/me");
    expect(stub.requests[0]?.headers.get("authorization")).toBe("Bearer vlt_test_fromenv");
  });

  it("options win over the environment; apiKey null sends no credential", async () => {
    vi.stubEnv("VOLTASIS_API_KEY", "vlt_live_fromenv");
    const stub = stubFetch(ok({ status: "ok" }));

    await new Voltasis({ apiKey: "vlt_live_option", baseURL: "http://a.test", fetch: stub.fetch }).auth.me();
    await new Voltasis({ accessToken: "eyJ.token", baseURL: "http://a.test", fetch: stub.fetch }).auth.me();
    await new Voltasis({ apiKey: null, baseURL: "http://a.test", fetch: stub.fetch }).status.retrieve();
    expect(stub.requests.map((r) => r.headers.get("authorization"))).toEqual([
      "Bearer vlt_live_option",
      "Bearer eyJ.token",
      null,
    ]);
    expect(() => new Voltasis({ apiKey: "vlt_live_a", accessToken: "eyJ.b" })).toThrow(/not two different/);
  });

  it("defaults to http://127.0.0.1:3000; a base URL written with /v1 (as the seeds do) works too", () => {
    vi.stubEnv("VOLTASIS_BASE_URL", "");
    expect(new Voltasis().baseURL).toBe(DEFAULT_BASE_URL);
    expect(DEFAULT_BASE_URL).toBe("http://127.0.0.1:3000");
    expect(new Voltasis({ baseURL: "https://api.example.com/v1/" }).baseURL).toBe("https://api.example.com");
    expect(new Voltasis({}).maxRetries).toBe(2);
    expect(new Voltasis({}).timeout).toBe(60_000);
  });

  it("the default export is the client", () => {
    expect(VoltasisDefault).toBe(Voltasis);
  });
});

describe("requests", () => {
  const client = (stub: ReturnType<typeof stubFetch>, organizationId?: string) =>
    new Voltasis({ apiKey: "k", baseURL: "http://api.test", fetch: stub.fetch, organizationId });

  it("sends JSON bodies, encodes path parameters and returns data of the envelope", async () => {
    const stub = stubFetch(ok({ id: "te_1", duration: 60 }));

    const entry = await client(stub).timeEntries.update("te_1/../x", { description: "Reviewed" });
    expect(entry).toEqual({ id: "te_1", duration: 60 });
    const [request] = stub.requests;
    expect(request?.method).toBe("PATCH");
    expect(request?.url.pathname).toBe("/v1/time-entries/te_1%2F..%2Fx");
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(request?.body).toBe('{"description":"Reviewed"}');
  });

  it("a POST without a body sends no Content-Type (the API refuses an empty JSON body)", async () => {
    const stub = stubFetch(ok({ id: "te_1" }));
    await client(stub).timeEntries.stop("te_1");
    expect(stub.requests[0]?.headers.get("content-type")).toBeNull();
    expect(stub.requests[0]?.body).toBeUndefined();
  });

  it("query parameters skip undefined values; organizationId and extra headers are sent", async () => {
    const stub = stubFetch(ok({ groups: [] }));
    await client(stub, "org_2").reports.summary(
      { from: "2024-01-01T00:00:00Z", to: undefined, group_by: "project" },
      { headers: { "If-None-Match": '"abc"' } },
    );
    const [request] = stub.requests;
    expect(request?.url.search).toBe("?from=2024-01-01T00%3A00%3A00Z&group_by=project");
    expect(request?.headers.get("x-organization-id")).toBe("org_2");
    expect(request?.headers.get("if-none-match")).toBe('"abc"');
  });

  it("a 204 resolves to undefined; a file answer is the Response", async () => {
    const stub = stubFetch(
      new Response(null, { status: 204 }),
      new Response("id,duration\nte_1,60\n", { headers: { "content-type": "text/csv" } }),
    );
    await expect(client(stub).projects.delete("prj_1")).resolves.toBeUndefined();
    const file = await client(stub).jobs.result("job_1");
    expect(file.headers.get("content-type")).toBe("text/csv");
    expect(await file.text()).toBe("id,duration\nte_1,60\n");
  });
});
