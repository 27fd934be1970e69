import http from "node:http";
import type { AddressInfo } from "node:net";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { FastifyInstance } from "fastify";
import { expect, vi } from "vitest";

/** Streams need a real socket (inject waits for the response to end): listens on a free port. */
export async function listen(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export interface StreamedEvent {
  id: string;
  event: string;
  /** The JSON of the data line. */
  data: { id: string; event: string; [field: string]: unknown };
}

export interface EventStream {
  status: number;
  headers: Headers;
  /** Domain events received so far, in order. */
  events: StreamedEvent[];
  /** Comment lines (heartbeats) received so far. */
  comments: string[];
  retry: number | undefined;
  /** The data of the `stream_closed` frame, once the server sent it. */
  closing: { reason: string; message: string; reconnect: boolean } | undefined;
  /** Resolves when the server has ended the response. */
  ended: Promise<void>;
  /** Waits until at least `count` domain events arrived, and returns them. */
  waitForEvents(count: number, timeoutMs?: number): Promise<StreamedEvent[]>;
  /** The client hangs up. */
  close(): void;
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: AsyncIterable<Buffer>;
  abort(): void;
}

/** node:http rather than fetch: fetch's pool leaves a spare connection open that delays the server's close. */
function get(url: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const flat = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) flat.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      resolve({ status: res.statusCode ?? 0, headers: flat, body: res, abort: () => req.destroy() });
    });
    req.on("error", reject);
  });
}

const requestHeaders = (token: string | null, extra: Record<string, string> = {}) => ({
  accept: "text/event-stream",
  ...(token ? { authorization: `Bearer ${token}` } : {}),
  ...extra,
});

/** GET an event stream as an EventSource would, reading it as it arrives (eventsource-parser). */
export async function openStream(
  baseUrl: string,
  token: string | null,
  options: { path?: string; headers?: Record<string, string> } = {},
): Promise<EventStream> {
  const res = await get(
    `${baseUrl}${options.path ?? "/v1/events/stream"}`,
    requestHeaders(token, options.headers),
  );
  const stream: EventStream = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    retry: undefined,
    closing: undefined,
    ended: Promise.resolve(),
    async waitForEvents(count, timeoutMs = 5_000) {
      await vi.waitFor(() => expect(stream.events.length).toBeGreaterThanOrEqual(count), {
        timeout: timeoutMs,
        interval: 10,
      });
      return stream.events;
    },
    close: res.abort,
  };
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      if (message.event === "stream_closed") stream.closing = JSON.parse(message.data);
      else
        stream.events.push({
          id: message.id ?? "",
          event: message.event ?? "",
          data: JSON.parse(message.data),
        });
    },
    onComment: (comment) => stream.comments.push(comment.trim()),
    onRetry: (ms) => {
      stream.retry = ms;
    },
  });
  stream.ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // The client hung up (close()): what arrived is what the test looks at.
    }
  })();
  return stream;
}

/** An error answer instead of a stream: its status, headers and the SPEC §2 envelope. */
export async function refusedStream(
  baseUrl: string,
  token: string | null,
  options: { path?: string; headers?: Record<string, string> } = {},
) {
  const res = await get(
    `${baseUrl}${options.path ?? "/v1/events/stream"}`,
    requestHeaders(token, options.headers),
  );
  let text = "";
  for await (const chunk of res.body) text += chunk;
  return {
    statusCode: res.status,
    headers: Object.fromEntries(res.headers),
    body: text,
    json: () => JSON.parse(text),
  };
}
