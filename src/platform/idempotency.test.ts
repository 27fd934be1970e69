import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKey } from "../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../test/helpers/fixtures.js";

/** SPEC §8 idempotency keys: retries of a POST or PATCH do the work once. */
let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

let counter = 0;
const newKey = () => `key-${Date.now()}-${++counter}`;
const post = (url: string, payload: unknown, key?: string, token = owner.accessToken) =>
  call(t.app, token, {
    method: "POST",
    url,
    payload: payload as object,
    headers: key === undefined ? {} : { "idempotency-key": key },
  });
const count = async (table: "tags" | "clients" | "time_entries", orgId = owner.orgId) =>
  (await t.db.selectFrom(table).select("id").where("organization_id", "=", orgId).execute()).length;

describe("idempotency keys: one write per key", () => {
  it("a retry gets the first response back byte for byte, marked as replayed, and nothing more is written", async () => {
    const key = newKey();
    const before = await count("tags");
    const first = await post("/v1/tags", { name: `once-${key}` }, key);
    expect(first.statusCode).toBe(201);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    const again = await post("/v1/tags", { name: `once-${key}` }, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body).toBe(first.body);
    expect(again.headers["content-type"]).toBe(first.headers["content-type"]);
    expect(again.headers["x-request-id"]).not.toBe(first.headers["x-request-id"]);
    expect(await count("tags")).toBe(before + 1);
  });

  it("20 identical POSTs at once create exactly one entry; the others replay it or are told it is in use", async () => {
    const key = newKey();
    const before = await count("time_entries");
    const payload = { start: "2024-03-04T09:00:00Z", duration: 3600, description: "burst" };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => post("/v1/time-entries", payload, key)),
    );
    expect(await count("time_entries")).toBe(before + 1);
    const created = results.filter((r) => r.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.json().data.id)).size).toBe(1);
    for (const res of results.filter((r) => r.statusCode !== 201)) {
      expect(expectError(res, 409, "IDEMPOTENCY_KEY_IN_USE").details).toMatchObject({
        reason: "in_progress",
      });
      expect(res.headers["retry-after"]).toBe("1");
    }
  });

  it("the same key for another body, path or method is a 422 and writes nothing", async () => {
    const key = newKey();
    const client = await post("/v1/clients", { name: `Keyed ${key}` }, key);
    expect(client.statusCode).toBe(201);
    const before = await count("clients");
    const reused = [
      await post("/v1/clients", { name: `Other ${key}` }, key),
      await post("/v1/tags", { name: `tag-${key}` }, key),
      await call(t.app, owner.accessToken, {
        method: "PATCH",
        url: `/v1/clients/${client.json().data.id}`,
        payload: { notes: "x" },
        headers: { "idempotency-key": key },
      }),
    ];
    for (const res of reused) {
      expect(expectError(res, 422, "IDEMPOTENCY_KEY_REUSED").details).toMatchObject({
        reason: "key_reused",
        field: "Idempotency-Key",
      });
    }
    expect(await count("clients")).toBe(before);
  });

  it("keys are per credential: another key's same Idempotency-Key is its own request", async () => {
    const apiKey = await createKey(t.app, owner.accessToken, { scopes: ["admin"] });
    const key = newKey();
    const before = await count("tags");
    expect((await post("/v1/tags", { name: `a-${key}` }, key)).statusCode).toBe(201);
    const other = await post("/v1/tags", { name: `b-${key}` }, key, apiKey.secret);
    expect(other.statusCode).toBe(201);
    expect(other.headers["idempotent-replayed"]).toBeUndefined();
    expect(await count("tags")).toBe(before + 2);
  });

  it("an error the request earned (a 409) is replayed too; a request refused for its shape claims nothing", async () => {
    const key = newKey();
    await post("/v1/tags", { name: `taken-${key}` });
    const conflict = await post("/v1/tags", { name: `taken-${key}` }, key);
    expectError(conflict, 409, "CONFLICT");
    const replayed = await post("/v1/tags", { name: `taken-${key}` }, key);
    expect(replayed.statusCode).toBe(409);
    expect(replayed.body).toBe(conflict.body);
    expect(replayed.headers["idempotent-replayed"]).toBe("true");

    const shapeKey = newKey();
    expectError(await post("/v1/tags", { nam: "typo" }, shapeKey), 400, "VALIDATION_ERROR");
    expect((await post("/v1/tags", { name: `fixed-${shapeKey}` }, shapeKey)).statusCode).toBe(201);
  });

  it("a 5xx is not kept: the retry does the work once the server is well again", async () => {
    const key = newKey();
    await t.db.schema.alterTable("tags").renameTo("tags_away").execute();
    try {
      expectError(await post("/v1/tags", { name: `later-${key}` }, key), 500, "INTERNAL_ERROR");
    } finally {
      await t.db.schema.alterTable("tags_away").renameTo("tags").execute();
    }
    const retried = await post("/v1/tags", { name: `later-${key}` }, key);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers["idempotent-replayed"]).toBeUndefined();
  });

  it("holds across processes, and an expired key (24 hours) is a new request", async () => {
    const other = await t.anotherProcess();
    const key = newKey();
    const first = await post("/v1/tags", { name: `shared-${key}` }, key);
    const elsewhere = await call(other, owner.accessToken, {
      method: "POST",
      url: "/v1/tags",
      payload: { name: `shared-${key}` },
      headers: { "idempotency-key": key },
    });
    expect(elsewhere.headers["idempotent-replayed"]).toBe("true");
    expect(elsewhere.body).toBe(first.body);
    await t.db
      .updateTable("idempotency_keys")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("key", "=", key)
      .execute();
    const fresh = await post("/v1/tags", { name: `shared2-${key}` }, key);
    expect(fresh.statusCode).toBe(201);
    expect(fresh.headers["idempotent-replayed"]).toBeUndefined();
  });

  it("refuses malformed keys with a 400 naming the header", async () => {
    for (const key of ["", "x".repeat(256), "tab\there", "ünïcode"]) {
      const res = await call(t.app, owner.accessToken, {
        method: "POST",
        url: "/v1/tags",
        payload: { name: `bad-${Date.now()}` },
        headers: { "idempotency-key": key },
      });
      expect(expectError(res, 400, "VALIDATION_ERROR").details, JSON.stringify(key)).toMatchObject({
        field: "Idempotency-Key",
      });
    }
    const longest = await post("/v1/tags", { name: `long-${Date.now()}` }, "k".repeat(255));
    expect(longest.statusCode).toBe(201);
  });
});

describe("a timer start retried after a dropped connection", () => {
  it("starts one timer: the retry gets the first answer", async () => {
    const person = await registerAccount(t.app);
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = new URL(address);
    const key = newKey();
    const body = JSON.stringify({ description: "retried" });
    // The connection drops as the answer starts to arrive: the client never reads it.
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.write(
          `POST /v1/time-entries/start HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${person.accessToken}\r\n` +
            `Content-Type: application/json\r\nIdempotency-Key: ${key}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      });
      socket.once("data", () => {
        socket.destroy();
        resolve();
      });
      socket.on("error", reject);
    });
    await vi.waitFor(async () => expect(await count("time_entries", person.orgId)).toBe(1), {
      timeout: 10_000,
    });
    const retry = await fetch(`${address}/v1/time-entries/start`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${person.accessToken}`,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body,
    });
    const text = await retry.text();
    expect(retry.status, text).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await count("time_entries", person.orgId)).toBe(1);
    // Without the key the retry would have been refused: one timer runs.
    const second = await call(t.app, person.accessToken, {
      method: "POST",
      url: "/v1/time-entries/start",
      payload: {},
    });
    expectError(second, 409, "CONFLICT");
  });
});
