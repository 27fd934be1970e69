import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";
import { newId } from "../../platform/ids.js";

let t: TestApp;
let owner: Account;
const { api, create } = ownerApi(
  () => t,
  () => owner,
);
const MISSING = "whk_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

beforeAll(async () => {
  // Private addresses are refused: the production default.
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const PUBLIC_URL = "https://93.184.215.14/hooks";
const webhookRows = () =>
  t.db.selectFrom("webhooks").selectAll().where("organization_id", "=", owner.orgId).execute();

describe("SSRF: URLs that reach inside the network are refused (SPEC §7)", () => {
  const cases: Array<[string, string]> = [
    ["http://127.0.0.1/hooks", "loopback"],
    ["http://127.1.2.3:8080/hooks", "loopback"],
    ["http://localhost:3000/hooks", "loopback"],
    ["http://0.0.0.0/", "unspecified"],
    ["http://10.1.2.3/", "private"],
    ["http://172.16.0.1/", "private"],
    ["http://192.168.1.10/", "private"],
    ["http://100.64.0.1/", "carrier_grade_nat"],
    ["http://169.254.10.20/", "link_local"],
    ["http://169.254.169.254/latest/meta-data/", "metadata"],
    ["http://[::1]/", "loopback"],
    ["http://[fe80::1]/", "link_local"],
    ["http://[fc00::1]/", "private"],
    ["http://[fd00:ec2::254]/", "metadata"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://[::ffff:a9fe:a9fe]/", "metadata"],
    ["http://[::ffff:10.0.0.1]/", "private"],
    ["http://[64:ff9b::a00:1]/", "private"],
    ["http://2130706433/", "loopback"], // 127.0.0.1 written as one number
    ["http://0x7f.1/", "loopback"],
  ];

  it.each(cases)("POST %s → 400 (%s)", async (url, reason) => {
    const res = await api("POST", "/v1/webhooks", { url, events: ["tag.deleted"] });
    const error = expectError(res, 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field: "url", reason });
    expect(await webhookRows()).toEqual([]);
  });

  it("PATCH to a private URL → 400 and the URL stays", async () => {
    const hook = await create("/v1/webhooks", { url: PUBLIC_URL, events: ["tag.deleted"] });
    const res = await api("PATCH", `/v1/webhooks/${hook.id}`, { url: "http://169.254.169.254/" });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "url",
      reason: "metadata",
    });
    expect((await api("GET", `/v1/webhooks/${hook.id}`)).json().data.url).toBe(PUBLIC_URL);
    expect((await api("DELETE", `/v1/webhooks/${hook.id}`)).statusCode).toBe(204);
  });

  it("other schemes, credentials in the URL and unresolvable hosts → 400", async () => {
    for (const [url, reason] of [
      ["ftp://93.184.215.14/", "scheme"],
      ["https://user:pass@93.184.215.14/", "credentials"],
      ["https://no-such-host.invalid/", "unresolvable"],
      ["not a url", "invalid_format"],
    ]) {
      const res = await api("POST", "/v1/webhooks", { url, events: ["tag.deleted"] });
      expect(expectError(res, 400, "VALIDATION_ERROR").details, url).toMatchObject({ field: "url", reason });
    }
    expect(await webhookRows()).toEqual([]);
  });

  it("with VOLTASIS_WEBHOOKS_ALLOW_PRIVATE=true the same URLs are accepted", async () => {
    const dev = await createTestApp({ VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true", VOLTASIS_WORKERS: "off" });
    try {
      const account = await registerAccount(dev.app);
      for (const [url] of cases) {
        const res = await dev.app.inject({
          method: "POST",
          url: "/v1/webhooks",
          headers: { authorization: `Bearer ${account.accessToken}` },
          payload: { url, events: ["tag.deleted"] },
        });
        expect(res.statusCode, `${url}: ${res.body}`).toBe(201);
      }
    } finally {
      await dev.close();
    }
  });
});

describe("bad input", () => {
  it("unknown event names → 400 on events, naming them", async () => {
    for (const events of [
      ["project.create"],
      ["time_entry.created", "nothing.*"],
      ["project.**"],
      ["webhook.test"],
    ]) {
      const res = await api("POST", "/v1/webhooks", { url: PUBLIC_URL, events });
      const error = expectError(res, 400, "VALIDATION_ERROR");
      expect(error.details).toMatchObject({ field: "events", reason: "unknown_event" });
      expect(error.details?.unknown).toEqual(events.filter((e) => e !== "time_entry.created"));
    }
    expect(await webhookRows()).toEqual([]);
  });

  it("missing, empty, duplicated or mistyped fields → 400", async () => {
    const bodies: Array<[unknown, string]> = [
      [{ events: ["tag.deleted"] }, "url"],
      [{ url: PUBLIC_URL }, "events"],
      [{ url: PUBLIC_URL, events: [] }, "events"],
      [{ url: PUBLIC_URL, events: ["*", "*"] }, "events"],
      [{ url: PUBLIC_URL, events: "project.*" }, "events"],
      [{ url: PUBLIC_URL, events: ["tag.deleted"], enabled: "yes" }, "enabled"],
      [{ url: PUBLIC_URL, events: ["tag.deleted"], description: "x".repeat(501) }, "description"],
      [{ url: PUBLIC_URL, events: ["tag.deleted"], secret: "whsec_mine" }, "secret"],
    ];
    for (const [body, field] of bodies) {
      const res = await api("POST", "/v1/webhooks", body);
      expect(expectError(res, 400, "VALIDATION_ERROR").details?.field, JSON.stringify(body)).toBe(field);
    }
    expect(await webhookRows()).toEqual([]);
  });

  it("PATCH with nothing, an unknown event or an unknown field → 400 and nothing changes", async () => {
    const hook = await create("/v1/webhooks", { url: PUBLIC_URL, events: ["project.*"] });
    const before = await webhookRows();
    for (const [body, field] of [
      [{}, "body"],
      [{ events: ["project.archived"] }, "events"],
      [{ failing_since: null }, "failing_since"],
    ] as const) {
      const res = await api("PATCH", `/v1/webhooks/${hook.id}`, body);
      expect(expectError(res, 400, "VALIDATION_ERROR").details?.field).toBe(field);
    }
    expect(await webhookRows()).toEqual(before);
    await api("DELETE", `/v1/webhooks/${hook.id}`);
  });

  it("malformed ids → 400, unknown ids → 404", async () => {
    expectError(await api("GET", "/v1/webhooks/nope"), 400, "VALIDATION_ERROR");
    expectError(await api("GET", `/v1/webhooks/${MISSING}`), 404, "NOT_FOUND");
    expectError(await api("PATCH", `/v1/webhooks/${MISSING}`, { enabled: false }), 404, "NOT_FOUND");
    expectError(await api("DELETE", `/v1/webhooks/${MISSING}`), 404, "NOT_FOUND");
    expectError(await api("POST", `/v1/webhooks/${MISSING}/test`), 404, "NOT_FOUND");
    expectError(await api("POST", `/v1/webhooks/${MISSING}/rotate-secret`), 404, "NOT_FOUND");
    expectError(await api("GET", `/v1/webhooks/${MISSING}/deliveries`), 404, "NOT_FOUND");
    const hook = await create("/v1/webhooks", { url: PUBLIC_URL, events: ["tag.deleted"] });
    const dlv = "dlv_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
    expectError(await api("GET", `/v1/webhooks/${hook.id}/deliveries/${dlv}`), 404, "NOT_FOUND");
    expectError(await api("POST", `/v1/webhooks/${hook.id}/deliveries/${dlv}/redeliver`), 404, "NOT_FOUND");
    expectError(await api("GET", `/v1/webhooks/${hook.id}/deliveries/evt_x`), 400, "VALIDATION_ERROR");
    await api("DELETE", `/v1/webhooks/${hook.id}`);
  });

  it("unknown filters, sorts and cursors → 400", async () => {
    const hook = await create("/v1/webhooks", { url: PUBLIC_URL, events: ["tag.deleted"] });
    const cases: Array<[string, string]> = [
      ["/v1/webhooks?status=on", "status"],
      ["/v1/webhooks?sort=secret", "sort"],
      ["/v1/webhooks?enabled=maybe", "enabled"],
      ["/v1/webhooks?limit=101", "limit"],
      [`/v1/webhooks/${hook.id}/deliveries?status=sent`, "status"],
      [`/v1/webhooks/${hook.id}/deliveries?starting_after=dlv_01JD6V7W9Q3E4R5T6Y7Z8H9K0P`, "starting_after"],
      [`/v1/webhooks/${hook.id}/deliveries?starting_after=nope`, "starting_after"],
    ];
    for (const [url, field] of cases) {
      expect(expectError(await api("GET", url), 400, "VALIDATION_ERROR").details?.field, url).toBe(field);
    }
    await api("DELETE", `/v1/webhooks/${hook.id}`);
  });

  it("a disabled webhook cannot be pinged or redelivered → 409 webhook_disabled", async () => {
    const hook = await create("/v1/webhooks", { url: PUBLIC_URL, events: ["tag.deleted"], enabled: false });
    // A delivery made while it was enabled (written here: this app would send it to PUBLIC_URL).
    const earlier = newId("delivery");
    await t.db
      .insertInto("webhook_deliveries")
      .values({
        id: earlier,
        organization_id: owner.orgId,
        webhook_id: hook.id,
        event_id: newId("event"),
        event_name: "tag.deleted",
        payload: "{}",
        status: "succeeded",
        created_at: new Date(),
        completed_at: new Date(),
      })
      .execute();
    for (const path of ["test", `deliveries/${earlier}/redeliver`]) {
      const res = await api("POST", `/v1/webhooks/${hook.id}/${path}`);
      expect(expectError(res, 409, "CONFLICT").details, path).toMatchObject({ reason: "webhook_disabled" });
    }
    const deliveries = await t.db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("webhook_id", "=", hook.id)
      .execute();
    expect(deliveries).toEqual([{ id: earlier }]);
  });
});
