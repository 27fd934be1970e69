import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type EventStream, listen, openStream } from "../../../test/helpers/event-stream.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";

// SPEC §8: GET /v1/events/stream relays the organization's events as they commit.
let t: TestApp;
let owner: Account;
let base: string;
const opened: EventStream[] = [];

beforeAll(async () => {
  // A short heartbeat, so that a test sees one (production sends one every 15 s).
  t = await createTestApp({ VOLTASIS_STREAM_HEARTBEAT_MS: "200" });
  owner = await registerAccount(t.app);
  base = await listen(t.app);
});
afterAll(async () => {
  for (const stream of opened) stream.close();
  await t.close();
});

async function follow(token: string, options: Parameters<typeof openStream>[2] = {}) {
  const stream = await openStream(base, token, options);
  opened.push(stream);
  expect(stream.status).toBe(200);
  return stream;
}

const tag = async (name: string, account = owner) => {
  const res = await call(t.app, account.accessToken, { method: "POST", url: "/v1/tags", payload: { name } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { id: string };
};

/** The organization's stored event ids, oldest first. */
const storedIds = async (orgId: string) =>
  (
    await t.db.selectFrom("events").select("id").where("organization_id", "=", orgId).orderBy("id").execute()
  ).map((row) => row.id);

describe("events: the live stream", () => {
  it("answers text/event-stream with retry advice, then each event exactly as GET /v1/events/{id} shows it", async () => {
    const stream = await follow(owner.accessToken);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    expect(stream.headers.get("cache-control")).toBe("no-store");
    expect(stream.headers.get("x-request-id")).toMatch(/^req_/);
    expect(stream.headers.get("x-ratelimit-limit")).toBe("1000");
    await expect.poll(() => stream.retry).toBe(3000);

    const created = await tag("live");
    const [event] = await stream.waitForEvents(1);
    const shown = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/events/${event?.id}` });
    expect(shown.statusCode).toBe(200);
    expect(event).toEqual({ id: shown.json().data.id, event: "tag.created", data: shown.json().data });
    expect(event?.data).toMatchObject({ resource_id: created.id, organization_id: owner.orgId });
  });

  it("relays a burst of changes once each, in commit order", async () => {
    const account = await registerAccount(t.app);
    const stream = await follow(account.accessToken);
    for (let i = 0; i < 15; i++) await tag(`burst-${i}`, account);
    const events = await stream.waitForEvents(15);
    expect(events.map((e) => e.id)).toEqual(await storedIds(account.orgId).then((ids) => ids.slice(-15)));
    expect(events.map((e) => e.data.data)).toEqual(
      Array.from({ length: 15 }, (_, i) => expect.objectContaining({ name: `burst-${i}` })),
    );
  });

  it("sends a heartbeat comment while nothing happens", async () => {
    const stream = await follow(owner.accessToken);
    await expect.poll(() => stream.comments, { timeout: 5_000 }).toContain("heartbeat");
    expect(stream.events).toEqual([]);
  });
});

describe("events: resuming with Last-Event-ID", () => {
  it("replays the stored events after it, then continues live, without a gap or a duplicate at the seam", async () => {
    const account = await registerAccount(t.app);
    for (let i = 0; i < 5; i++) await tag(`before-${i}`, account);
    const [, resumeAfter] = await storedIds(account.orgId).then((ids) => ids.slice(-5));
    // Changes keep committing, three at a time, while the stream opens and replays: some commit
    // before its replay reads and are announced after it subscribed, and are seen by both sides.
    let writing = true;
    const writer = (n: number) =>
      (async () => {
        for (let i = 0; writing || i < 5; i++) await tag(`during-${n}-${i}`, account);
      })();
    const writers = [writer(1), writer(2), writer(3)];
    const stream = await follow(account.accessToken, { headers: { "last-event-id": resumeAfter as string } });
    await stream.waitForEvents(3);
    writing = false;
    await Promise.all(writers);
    for (let i = 0; i < 3; i++) await tag(`after-${i}`, account);

    const all = await storedIds(account.orgId);
    const expected = all.slice(all.indexOf(resumeAfter as string) + 1);
    const received = await stream.waitForEvents(expected.length);
    // Arrival order may differ from id order only where two commits raced; each arrives once.
    expect([...received.map((e) => e.id)].sort()).toEqual(expected);
    expect(new Set(received.map((e) => e.id)).size).toBe(received.length);
    expect(received[0]?.data.data).toMatchObject({ name: "before-2" });
  });

  it("takes last_event_id in the query for a browser's first connection; the header wins when both are sent", async () => {
    const account = await registerAccount(t.app);
    for (const name of ["one", "two", "three"]) await tag(name, account);
    const [first, second] = await storedIds(account.orgId).then((ids) => ids.slice(-3));
    const byQuery = await follow(account.accessToken, { path: `/v1/events/stream?last_event_id=${first}` });
    expect((await byQuery.waitForEvents(2)).map((e) => e.data.data)).toEqual([
      expect.objectContaining({ name: "two" }),
      expect.objectContaining({ name: "three" }),
    ]);
    // EventSource reconnects to the same URL and adds the header: the header is the newer place.
    const both = await follow(account.accessToken, {
      path: `/v1/events/stream?last_event_id=${first}`,
      headers: { "last-event-id": second as string },
    });
    const [only] = await both.waitForEvents(1);
    expect(only?.data.data).toMatchObject({ name: "three" });
    await tag("four", account);
    expect((await both.waitForEvents(2)).map((e) => (e.data.data as { name: string }).name)).toEqual([
      "three",
      "four",
    ]);
  });

  it("an API key resumes like a user token, replaying only what its scopes read", async () => {
    const account = await registerAccount(t.app);
    const key = await createKey(t.app, account.accessToken, { scopes: ["read:events", "read:projects"] });
    const start = await tag("not for the key", account);
    expect(start.id).toMatch(/^tag_/);
    const [from] = await storedIds(account.orgId).then((ids) => ids.slice(-1));
    await call(t.app, account.accessToken, {
      method: "POST",
      url: "/v1/projects",
      payload: { name: "Seen" },
    });
    await tag("also not for the key", account);
    const stream = await follow(key.secret, { headers: { "last-event-id": from as string } });
    await call(t.app, account.accessToken, {
      method: "POST",
      url: "/v1/projects",
      payload: { name: "Live" },
    });
    const events = await stream.waitForEvents(2);
    expect(events.map((e) => [e.event, (e.data.data as { name: string }).name])).toEqual([
      ["project.created", "Seen"],
      ["project.created", "Live"],
    ]);
  });
});

describe("events: the stream across processes (SPEC §1 scale-out)", () => {
  it("an event written through one process arrives on a stream held by another", async () => {
    const other = await t.anotherProcess();
    const otherBase = await listen(other);
    const account = await registerAccount(t.app);
    const there = await follow(account.accessToken, { path: "/v1/events/stream" });
    const elsewhere = await openStream(otherBase, account.accessToken);
    opened.push(elsewhere);
    expect(elsewhere.status).toBe(200);
    const created = await tag("from process A", account);
    const [arrived] = await elsewhere.waitForEvents(1);
    expect(arrived?.data).toMatchObject({ event: "tag.created", resource_id: created.id });
    // …and the same event, once, on the first process's stream too.
    expect((await there.waitForEvents(1)).map((e) => e.id)).toEqual([arrived?.id]);
    const fromB = await call(other, account.accessToken, {
      method: "POST",
      url: "/v1/tags",
      payload: { name: "B" },
    });
    expect(fromB.statusCode).toBe(201);
    expect((await there.waitForEvents(2))[1]?.data).toMatchObject({ resource_id: fromB.json().data.id });
  });
});
