import { describe, expect, it } from "vitest";
import {
  APIUserAbortError,
  AuthenticationError,
  type Event,
  PermissionDeniedError,
  RateLimitError,
  Voltasis,
} from "../src/index.js";
import { apiError, rejection, stubFetch } from "./stub-fetch.js";

const BASE = "http://api.test";

const event = (n: number, name = "project.created") =>
  `id: evt_${n}\nevent: ${name}\ndata: ${JSON.stringify({ id: `evt_${n}`, event: name, resource_id: `prj_${n}` })}\n\n`;

interface Body {
  /** The answer for stubFetch: a function, so that the stub does not hand out a clone. */
  response: () => Response;
  /** Whether the client cancelled the body, which is how fetch closes a connection. */
  cancelled: () => boolean;
}

/** A text/event-stream answer that sends `chunks`, then ends, stays open, or breaks. */
function sse(chunks: string[], end: "close" | "hang" | "break" = "close"): Body {
  let cancelled = false;
  const encoder = new TextEncoder();
  const queue = [...chunks];
  const body = new ReadableStream<Uint8Array>({
    // One chunk a read, so that a break comes after what was sent, as on a real connection.
    pull(controller) {
      const chunk = queue.shift();
      if (chunk !== undefined) controller.enqueue(encoder.encode(chunk));
      else if (end === "close") controller.close();
      else if (end === "break") controller.error(new TypeError("terminated: other side closed"));
      else return new Promise(() => {});
    },
    cancel() {
      cancelled = true;
    },
  });
  const response = new Response(body, {
    headers: { "Content-Type": "text/event-stream", "X-Request-ID": "req_stream" },
  });
  return { response: () => response, cancelled: () => cancelled };
}

async function take(events: AsyncIterable<Event>, count: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of events) {
    ids.push(e.id);
    if (ids.length === count) break;
  }
  return ids;
}

describe("events.stream()", () => {
  it("asks for text/event-stream with the credential and the query, and yields each event's data, typed", async () => {
    const body = sse(["retry: 3000\n\n", event(1), ": heartbeat\n\n", event(2, "tag.updated")], "hang");
    const stub = stubFetch(body.response);
    const client = new Voltasis({ apiKey: "vlt_live_k", baseURL: BASE, fetch: stub.fetch });

    const events = await client.events.stream({ last_event_id: "evt_0" });
    const seen: Event[] = [];
    for await (const e of events) {
      seen.push(e);
      if (seen.length === 2) break;
    }
    expect(seen.map((e) => [e.id, e.event, e.resource_id])).toEqual([
      ["evt_1", "project.created", "prj_1"],
      ["evt_2", "tag.updated", "prj_2"],
    ]);
    const [request] = stub.requests;
    expect(request?.url.pathname).toBe("/v1/events/stream");
    expect(request?.url.searchParams.get("last_event_id")).toBe("evt_0");
    expect(request?.headers.get("accept")).toBe("text/event-stream");
    expect(request?.headers.get("authorization")).toBe("Bearer vlt_live_k");
    expect(events.lastEventId).toBe("evt_2");
    // `break` closed the connection.
    expect(body.cancelled()).toBe(true);
  });

  it("reconnects after a dropped or broken connection with Last-Event-ID of the last event: none lost, none twice", async () => {
    const stub = stubFetch(
      sse(["retry: 1\n\n", event(1), event(2)], "close").response,
      sse([event(3)], "break").response,
      sse([event(4), event(5)], "hang").response,
    );
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch });

    expect(await take(await client.events.stream(), 5)).toEqual([
      "evt_1",
      "evt_2",
      "evt_3",
      "evt_4",
      "evt_5",
    ]);
    expect(stub.requests.map((r) => r.headers.get("last-event-id"))).toEqual([null, "evt_2", "evt_3"]);
  });

  it("reconnects when the body stays silent longer than the timeout (a dead connection)", async () => {
    const silent = sse(["retry: 1\n\n", event(1)], "hang");
    const stub = stubFetch(silent.response, sse([event(2)], "hang").response);
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch, timeout: 30 });

    expect(await take(await client.events.stream(), 2)).toEqual(["evt_1", "evt_2"]);
    expect(silent.cancelled()).toBe(true);
    expect(stub.requests[1]?.headers.get("last-event-id")).toBe("evt_1");
  });

  it("follows a stream_closed that allows reconnecting (a server shutting down)", async () => {
    const closing = 'event: stream_closed\ndata: {"reason":"shutting_down","reconnect":true}\n\n';
    const stub = stubFetch(
      sse(["retry: 1\n\n", event(1), closing]).response,
      sse([event(2)], "hang").response,
    );
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch });

    expect(await take(await client.events.stream(), 2)).toEqual(["evt_1", "evt_2"]);
    expect(stub.requests[1]?.headers.get("last-event-id")).toBe("evt_1");
  });

  it("throws AuthenticationError or PermissionDeniedError for a stream_closed that forbids reconnecting", async () => {
    const closed = (reason: string) =>
      `event: stream_closed\ndata: ${JSON.stringify({ reason, message: `Closed: ${reason}`, reconnect: false })}\n\n`;
    for (const [reason, ErrorClass, status] of [
      ["revoked_token", AuthenticationError, 401],
      ["insufficient_scope", PermissionDeniedError, 403],
    ] as const) {
      const stub = stubFetch(sse([event(1), closed(reason)]).response);
      const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch });
      const seen: string[] = [];
      const error = await rejection(
        (async () => {
          for await (const e of await client.events.stream()) seen.push(e.id);
        })(),
      );
      expect(seen).toEqual(["evt_1"]);
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ status, reason, message: `Closed: ${reason}`, requestId: "req_stream" });
      expect(stub.requests).toHaveLength(1);
    }
  });

  it("rejects a refused connection with the typed error at once, and retries a 429 after Retry-After", async () => {
    const forbidden = stubFetch(apiError(403, "FORBIDDEN", "Missing scope read:events"));
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: forbidden.fetch });
    const error = await rejection(client.events.stream());
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.requestId).toBe("req_403ERR");
    expect(forbidden.requests).toHaveLength(1);

    const tooMany = apiError(
      429,
      "RATE_LIMIT_EXCEEDED",
      "Too many open event streams",
      {},
      { "Retry-After": "0" },
    );
    const busy = stubFetch(tooMany, sse([event(1)], "hang").response);
    const patient = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: busy.fetch });
    expect(await take(await patient.events.stream(), 1)).toEqual(["evt_1"]);
    expect(busy.requests).toHaveLength(2);

    const impatient = new Voltasis({
      apiKey: "k",
      baseURL: BASE,
      fetch: stubFetch(tooMany).fetch,
      maxRetries: 0,
    });
    expect(await rejection(impatient.events.stream())).toBeInstanceOf(RateLimitError);
  });

  it("close() and the signal end the iteration and close the connection", async () => {
    const first = sse([event(1) + event(2)], "hang");
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stubFetch(first.response).fetch });
    const events = await client.events.stream();
    const seen: string[] = [];
    for await (const e of events) {
      seen.push(e.id);
      events.close();
    }
    expect(seen).toEqual(["evt_1"]);
    expect(first.cancelled()).toBe(true);

    const second = sse([event(1)], "hang");
    const controller = new AbortController();
    const aborting = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stubFetch(second.response).fetch });
    const stream = await aborting.events.stream({}, { signal: controller.signal });
    const error = await rejection(
      (async () => {
        for await (const _ of stream) controller.abort();
      })(),
    );
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(second.cancelled()).toBe(true);
  });
});
