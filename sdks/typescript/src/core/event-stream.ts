/**
 * A live stream of events (`GET /v1/events/stream`, Server-Sent Events), as an async iterable:
 *
 *   const events = await client.events.stream();
 *   for await (const event of events) { … if (done) break; }
 *
 * `await` resolves once the server accepted the stream (a 401, 403 or 429 rejects it), so what
 * commits after it is seen. Each item is the event's `data`, parsed (what GET /v1/events/{id}
 * answers); heartbeats are skipped. A dropped connection, a body silent for the client's timeout
 * (the server sends a heartbeat every 15 s) and a `stream_closed` saying `reconnect: true` (a
 * server shutting down) are followed, after the server's `retry:` delay, by a reconnection with
 * `Last-Event-ID`, so no event is lost or repeated. A `stream_closed` saying `reconnect: false`
 * (the credential was revoked, expired or lost `read:events`) throws AuthenticationError or
 * PermissionDeniedError, as the reconnection would. `break`, `close()` or the request's `signal`
 * close the connection, which frees the server's stream slot.
 */
import {
  APIError,
  APIUserAbortError,
  AuthenticationError,
  PermissionDeniedError,
  VoltasisError,
} from "./errors.js";
import { type ServerSentEvent, ServerSentEventParser } from "./sse.js";

/** Milliseconds before reconnecting when the server has not said (`retry:`); EventSource's usual. */
export const DEFAULT_RECONNECT_MS = 3_000;

/** Opens one connection (retrying as any request does), resuming after `lastEventId` when given. */
export type StreamConnector = (lastEventId: string | undefined) => Promise<Response>;

interface Closing {
  reason?: unknown;
  message?: unknown;
  reconnect?: unknown;
}

export class EventStream<T> implements AsyncIterable<T> {
  readonly #connect: StreamConnector;
  readonly #idleTimeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  #response: Response | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #lastEventId: string | undefined;
  #reconnectMs = DEFAULT_RECONNECT_MS;
  #iterated = false;
  #closed = false;

  private constructor(connect: StreamConnector, idleTimeoutMs: number, signal: AbortSignal | undefined) {
    this.#connect = connect;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#signal = signal;
  }

  /** Connects (the connection attempt keeps the client's timeout and retries) and returns the stream. */
  static async open<T>(
    connect: StreamConnector,
    options: { idleTimeoutMs: number; signal?: AbortSignal | undefined },
  ): Promise<EventStream<T>> {
    const stream = new EventStream<T>(connect, options.idleTimeoutMs, options.signal);
    stream.#response = await connect(undefined);
    options.signal?.addEventListener("abort", () => stream.close(), { once: true });
    return stream;
  }

  /** The id of the last event received: where a later stream can resume (`last_event_id`). */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** Closes the connection; an iteration under way ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const body = this.#reader ?? this.#response?.body;
    // Cancelling the body is what makes fetch close the connection.
    body?.cancel().catch(() => {});
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#iterated) throw new VoltasisError("An event stream can be iterated once");
    this.#iterated = true;
    return this.#events();
  }

  async *#events(): AsyncGenerator<T> {
    try {
      for (;;) {
        const closing = yield* this.#read(this.#response as Response);
        if (this.#stopped()) return;
        if (closing && closing.reconnect !== true) throw closedError(closing, this.#response);
        await sleep(this.#reconnectMs, this.#signal);
        if (this.#stopped()) return;
        this.#response = await this.#connect(this.#lastEventId);
      }
    } finally {
      this.close();
    }
  }

  /** One connection's events, until it ends: the `stream_closed` it ended with, or undefined. */
  async *#read(response: Response): AsyncGenerator<T, Closing | undefined> {
    if (!response.body) return undefined;
    const reader = response.body.getReader();
    this.#reader = reader;
    if (this.#closed) await reader.cancel();
    const decoder = new TextDecoder();
    const parser = new ServerSentEventParser();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      for (;;) {
        // Silence longer than the timeout (several missed heartbeats) is a dead connection.
        timer = setTimeout(() => reader.cancel().catch(() => {}), this.#idleTimeoutMs);
        const { done, value } = await reader.read();
        clearTimeout(timer);
        if (done) return undefined;
        for (const message of parser.feed(decoder.decode(value, { stream: true }))) {
          if (this.#closed) return undefined;
          if (message.event === "stream_closed") return parseClosing(message);
          const event = parseEvent<T>(message, response);
          this.#lastEventId = message.id || this.#lastEventId;
          yield event;
        }
        if (parser.retry !== undefined) this.#reconnectMs = parser.retry;
      }
    } catch (error) {
      // A connection that broke mid-body is reconnected; the SDK's own errors are the caller's.
      if (error instanceof VoltasisError) throw error;
      return undefined;
    } finally {
      clearTimeout(timer);
      this.#reader = undefined;
      reader.cancel().catch(() => {});
    }
  }

  /** Whether the caller closed the stream; throws when they aborted it through the signal. */
  #stopped(): boolean {
    if (this.#signal?.aborted) throw new APIUserAbortError(this.#signal.reason);
    return this.#closed;
  }
}

function parseEvent<T>(message: ServerSentEvent, response: Response): T {
  try {
    return JSON.parse(message.data) as T;
  } catch {
    throw new APIError({
      status: response.status,
      code: "INVALID_RESPONSE",
      message: `The event ${message.id || message.event} of the stream is not JSON`,
      requestId: response.headers.get("x-request-id") ?? undefined,
      headers: response.headers,
    });
  }
}

function parseClosing(message: ServerSentEvent): Closing {
  try {
    const closing = JSON.parse(message.data) as unknown;
    return typeof closing === "object" && closing !== null ? (closing as Closing) : {};
  } catch {
    return {};
  }
}

/**
 * The error a `stream_closed` that forbids reconnecting stands for: the 403 or 401 that a
 * reconnection would get, with `details.reason` saying why (`revoked_token`, `insufficient_scope`…).
 */
function closedError(closing: Closing, response: Response | undefined): APIError {
  const reason = typeof closing.reason === "string" ? closing.reason : "stream_closed";
  const forbidden = reason === "insufficient_scope";
  const ErrorClass = forbidden ? PermissionDeniedError : AuthenticationError;
  return new ErrorClass({
    status: forbidden ? 403 : 401,
    code: forbidden ? "FORBIDDEN" : "UNAUTHORIZED",
    message: typeof closing.message === "string" ? closing.message : `The stream was closed: ${reason}`,
    details: { reason, reconnect: false },
    requestId: response?.headers.get("x-request-id") ?? undefined,
    headers: response?.headers,
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
