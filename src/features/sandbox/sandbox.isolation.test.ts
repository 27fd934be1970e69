import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { type Receiver, startReceiver } from "../../../test/helpers/webhook-receiver.js";

/** SPEC §8: the sandbox has its own webhooks, events and logs; live ones never see test traffic. */
let t: TestApp;
let owner: Account;
let liveKey: { id: string; secret: string };
let testKey: { id: string; secret: string };
let twinId: string;
let receiver: Receiver;

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true" });
  owner = await registerAccount(t.app);
  liveKey = await createKey(t.app, owner.accessToken, { scopes: ["admin"] });
  testKey = await createKey(t.app, owner.accessToken, { scopes: ["admin"], mode: "test" });
  twinId = (await call(t.app, testKey.secret, { method: "GET", url: "/v1/sandbox" })).json().data
    .organization_id;
  receiver = await startReceiver();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const post = (token: string, url: string, payload: object) =>
  call(t.app, token, { method: "POST", url, payload });

describe("sandbox: its own webhooks, events and logs", () => {
  it("a sandbox webhook receives only sandbox events, a live one only live events", async () => {
    // Both subscribe to the same events, so a crossing would be delivered, not filtered out.
    for (const [token, path] of [
      [liveKey.secret, "live"],
      [testKey.secret, "sandbox"],
    ] as const) {
      const hook = await post(token, "/v1/webhooks", {
        url: `${receiver.url}/${path}`,
        events: ["tag.*", "sandbox.reset"],
      });
      expect(hook.statusCode, hook.body).toBe(201);
    }
    const received = (path: string) =>
      receiver.requests.filter((r) => r.path.endsWith(`/${path}`)).map((r) => r.json);
    const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 100 });
    expect((await post(liveKey.secret, "/v1/tags", { name: "live-tag" })).statusCode).toBe(201);
    expect((await post(testKey.secret, "/v1/tags", { name: "sandbox-tag" })).statusCode).toBe(201);
    await until(() => expect(received("sandbox")).toHaveLength(1));
    expect((await post(liveKey.secret, "/v1/sandbox/reset", {})).statusCode).toBe(200);
    expect((await post(liveKey.secret, "/v1/tags", { name: "live-after-reset" })).statusCode).toBe(201);

    await vi.waitFor(
      () => {
        expect(received("live").map((e) => e.event)).toEqual(["tag.created", "tag.created"]);
        expect(received("live")).toHaveLength(2);
        expect(received("sandbox").map((e) => e.event)).toEqual(["tag.created", "sandbox.reset"]);
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(received("live").map((e) => e.data.name)).toEqual(["live-tag", "live-after-reset"]);
    expect(received("live").every((e) => e.organization_id === owner.orgId)).toBe(true);
    expect(received("sandbox")[0]?.data.name).toBe("sandbox-tag");
    expect(received("sandbox").every((e) => e.organization_id === twinId)).toBe(true);
  });

  it("events and the request log are the mode's own; key usage counts a test key's requests", async () => {
    const live = await post(liveKey.secret, "/v1/clients", { name: "Live client" });
    const sandbox = await post(testKey.secret, "/v1/clients", { name: "Sandbox client" });
    await t.app.requestLog.flush();

    const events = async (token: string) =>
      (await call(t.app, token, { method: "GET", url: "/v1/events?per_page=100" })).json().data;
    expect((await events(liveKey.secret)).map((e: { resource_id: string }) => e.resource_id)).toContain(
      live.json().data.id,
    );
    expect(JSON.stringify(await events(liveKey.secret))).not.toContain(sandbox.json().data.id);
    expect((await events(testKey.secret)).map((e: { resource_id: string }) => e.resource_id)).toContain(
      sandbox.json().data.id,
    );
    expect(JSON.stringify(await events(testKey.secret))).not.toContain(live.json().data.id);

    const requests = async (token: string) =>
      (await call(t.app, token, { method: "GET", url: "/v1/logs?kind=request&per_page=100" })).json()
        .data as Array<{ credential: { id: string } | null; request_id: string }>;
    const liveLog = await requests(liveKey.secret);
    const sandboxLog = await requests(testKey.secret);
    const requestIds = (log: typeof liveLog) => log.map((entry) => entry.request_id);
    expect(requestIds(liveLog)).toContain(live.headers["x-request-id"]);
    expect(requestIds(liveLog)).not.toContain(sandbox.headers["x-request-id"]);
    expect(requestIds(sandboxLog)).toContain(sandbox.headers["x-request-id"]);
    expect(requestIds(sandboxLog)).not.toContain(live.headers["x-request-id"]);
    expect(JSON.stringify(sandboxLog)).not.toContain(liveKey.id);
    expect(JSON.stringify(liveLog)).not.toContain(testKey.id);

    // The key is the live organization's: its usage is shown there, sandbox requests included.
    const usage = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/api-keys/${testKey.id}/usage`,
    });
    expect(usage.statusCode, usage.body).toBe(200);
    expect(usage.json().data.totals.requests).toBeGreaterThanOrEqual(sandboxLog.length);
  });
});
