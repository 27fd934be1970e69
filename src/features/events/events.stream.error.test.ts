import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type EventStream, listen, openStream, refusedStream } from "../../../test/helpers/event-stream.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

// Every refusal comes before the stream starts, so it is an ordinary response in SPEC §2's envelope.
let t: TestApp;
let owner: Account;
let eventId = "";
const opened: EventStream[] = [];

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_STREAMS_PER_CREDENTIAL: "2" });
  owner = await registerAccount(t.app);
  await call(t.app, owner.accessToken, { method: "POST", url: "/v1/tags", payload: { name: "x" } });
  eventId = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/events" })).json().data[0].id;
});
afterAll(async () => {
  for (const stream of opened) stream.close();
  await t.close();
});

const UNKNOWN_ID = "evt_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const stream = (token: string | null, options: { url?: string; headers?: Record<string, string> } = {}) =>
  call(t.app, token, {
    method: "GET",
    url: options.url ?? "/v1/events/stream",
    headers: { accept: "text/event-stream", ...options.headers },
  });

describe("events stream: credentials", () => {
  it("no credential or an invalid one is a 401", async () => {
    const missing = await stream(null);
    expect(expectError(missing, 401, "UNAUTHORIZED").details).toEqual({ reason: "missing_credentials" });
    const invalid = await stream(`vlt_live_${"x".repeat(32)}`);
    expect(expectError(invalid, 401, "UNAUTHORIZED").details).toEqual({ reason: "invalid_token" });
  });

  it("a member's token and a key without read:events are a 403 naming the scope", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:projects"] });
    for (const token of [member.accessToken, key.secret]) {
      expect(expectError(await stream(token), 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: "read:events",
      });
    }
  });
});

describe("events stream: where to resume", () => {
  it.each([
    ["a malformed Last-Event-ID header", { headers: { "last-event-id": "evt_123" } }, "last-event-id"],
    ["a malformed last_event_id", { url: "/v1/events/stream?last_event_id=prj_1" }, "last_event_id"],
  ])("%s is a 400", async (_case, options, field) => {
    const res = await stream(owner.accessToken, options);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({
      field,
      reason: "invalid_format",
    });
  });

  it("an unknown event id is a 400 not_found, by header or by query", async () => {
    const byHeader = await stream(owner.accessToken, { headers: { "last-event-id": UNKNOWN_ID } });
    expect(expectError(byHeader, 400, "VALIDATION_ERROR").details).toEqual({
      field: "Last-Event-ID",
      reason: "not_found",
      location: "headers",
    });
    const byQuery = await stream(owner.accessToken, { url: `/v1/events/stream?last_event_id=${UNKNOWN_ID}` });
    expect(expectError(byQuery, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "last_event_id",
      reason: "not_found",
    });
  });

  it("another organization's event id is refused as the list's cursor refuses it, saying nothing of it", async () => {
    const stranger = await registerAccount(t.app);
    const res = await stream(stranger.accessToken, { headers: { "last-event-id": eventId } });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ reason: "not_found" });
    const unknown = await stream(stranger.accessToken, { headers: { "last-event-id": UNKNOWN_ID } });
    expect(res.json().error.message.replace(eventId, "ID")).toBe(
      unknown.json().error.message.replace(UNKNOWN_ID, "ID"),
    );
  });

  it("an event past the 30 days of retention is no place to resume from", async () => {
    const account = await registerAccount(t.app);
    await call(t.app, account.accessToken, { method: "POST", url: "/v1/tags", payload: { name: "old" } });
    const old = await t.db
      .updateTable("events")
      .set({ created_at: sql<Date>`now() - interval '31 days'` })
      .where("organization_id", "=", account.orgId)
      .returning("id")
      .executeTakeFirstOrThrow();
    const res = await stream(account.accessToken, { headers: { "last-event-id": old.id } });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ reason: "not_found" });
  });

  it("an unknown query parameter is a 400", async () => {
    const res = await stream(owner.accessToken, { url: "/v1/events/stream?since=yesterday" });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "since",
      reason: "unknown_field",
    });
  });
});

describe("events stream: what the client accepts", () => {
  it.each(["application/json", "text/html, application/xhtml+xml", "text/event-stream;q=0, */*"])(
    "Accept: %s is a 406 in the envelope",
    async (accept) => {
      const res = await stream(owner.accessToken, { headers: { accept } });
      expect(expectError(res, 406, "INVALID_REQUEST").details).toEqual({
        reason: "not_acceptable",
        field: "Accept",
        location: "headers",
      });
    },
  );

  it.each(["*/*", "text/*", "text/event-stream", "application/json, text/event-stream;q=0.5"])(
    "Accept: %s is served",
    async (accept) => {
      const served = await openStream(await listen(t.app), owner.accessToken, { headers: { accept } });
      served.close();
      expect(served.status).toBe(200);
    },
  );

  it("the stream is read-only", async () => {
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/events/stream",
      payload: {},
    });
    expectError(res, 404, "NOT_FOUND");
  });
});

describe("events stream: the cap on open streams per credential", () => {
  it("the next stream over the cap is a 429 with details; other credentials are not affected; closing one frees a place", async () => {
    const base = await listen(t.app);
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read"] });
    const first = await openStream(base, key.secret);
    const second = await openStream(base, key.secret);
    opened.push(first, second);
    expect([first.status, second.status]).toEqual([200, 200]);

    const refused = await refusedStream(base, key.secret);
    const error = expectError(refused, 429, "RATE_LIMIT_EXCEEDED");
    expect(error.details).toEqual({ reason: "too_many_streams", limit: 2, retry_after: 5 });
    expect(error.message).toBe(
      "Too many open event streams: a credential may hold 2 at once. Close one, or try again in 5 seconds.",
    );
    expect(refused.headers["retry-after"]).toBe("5");

    const session = await openStream(base, owner.accessToken);
    opened.push(session);
    expect(session.status).toBe(200);

    // The server notices the hang-up and gives the place back.
    first.close();
    const third = await vi.waitFor(async () => {
      const attempt = await openStream(base, key.secret);
      attempt.close();
      if (attempt.status !== 200) throw new Error(`still refused: ${attempt.status}`);
      return attempt;
    });
    expect(third.status).toBe(200);
  });
});
