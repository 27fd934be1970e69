/**
 * The transport every generated resource method goes through: fetch (Node >= 20 and browsers),
 * credentials, JSON in and out of the `{data, metadata}` envelope, one timeout per attempt,
 * retries with backoff (core/retry.ts) and one Idempotency-Key across the retries of a POST or
 * PATCH (SPEC §8). Nothing here imports `node:` modules: browsers load this file.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  errorFromResponse,
  VoltasisError,
} from "./errors.js";
import { EventStream } from "./event-stream.js";
import { type ListSpec, PagePromise, type PageResponse } from "./pagination.js";
import { DEFAULT_MAX_RETRIES, isRetryable, retryDelayMs } from "./retry.js";

export const DEFAULT_BASE_URL = "http://127.0.0.1:3000";
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface ClientOptions {
  /**
   * The Bearer credential: an API key (`vlt_live_…`, or `vlt_test_…` for the sandbox). Defaults
   * to `VOLTASIS_API_KEY`; `null` sends no credential even when that variable is set.
   */
  apiKey?: string | null | undefined;
  /**
   * Any other Bearer token, read better under this name: a user's access token (from
   * `auth.login`) or an OAuth 2.0 access token. Sent exactly as an API key is; give one of the two.
   */
  accessToken?: string | undefined;
  /** The server, without `/v1`. Defaults to `VOLTASIS_BASE_URL`, else `http://127.0.0.1:3000`. */
  baseURL?: string | undefined;
  /** Milliseconds one attempt may take before it is abandoned (and retried). Default 60 000. */
  timeout?: number | undefined;
  /** Retries of a 429, a 503 or a connection error, after the first attempt. Default 2. */
  maxRetries?: number | undefined;
  /** `X-Organization-ID`: act for another organization the user token is a member of. */
  organizationId?: string | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /** A fetch implementation to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof fetch | undefined;
  /** Told before each retry: what failed and how long the client waits. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

export interface RequestOptions {
  /** Extra headers for this request, e.g. `If-Match` or `If-None-Match` with an ETag. */
  headers?: Record<string, string> | undefined;
  /** The Idempotency-Key of a POST or PATCH; by default a new UUID per call, kept across retries. */
  idempotencyKey?: string | undefined;
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  /** Aborts the request (and any wait before a retry). */
  signal?: AbortSignal | undefined;
}

export interface RetryEvent {
  method: string;
  url: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** What the previous attempt ended with: a 429, a 503, a connection error, … */
  error: APIError;
}

/** What a generated method asks of the transport. */
export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path with its parameters already encoded: `/v1/projects/prj_…`. */
  path: string;
  query?: object | undefined;
  body?: unknown;
  /** Send an Idempotency-Key (POST and PATCH), the same on every retry. */
  idempotent?: boolean;
  /**
   * `json`: return `data` of the envelope; `empty`: a 204; `file`: the Response as is; `stream`:
   * the Response as soon as its headers arrive, its body (an endless event stream) unread.
   */
  response: "json" | "empty" | "file" | "stream";
}

/** An event stream (`text/event-stream`), as a generated method describes it to the transport. */
export interface StreamSpec {
  method: "GET";
  path: string;
  query?: object | undefined;
}

interface Attempt {
  response: Response;
  json: unknown;
}

export class VoltasisCore {
  readonly baseURL: string;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly #token: string | undefined;
  readonly #options: ClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions = {}) {
    const { apiKey, accessToken } = options;
    if (apiKey && accessToken && apiKey !== accessToken) {
      // Both are the one Bearer credential: sending one of two silently would surprise.
      throw new VoltasisError("Give apiKey or accessToken, not two different credentials");
    }
    this.#options = options;
    this.#token =
      options.apiKey ??
      options.accessToken ??
      (options.apiKey === null ? undefined : readEnv("VOLTASIS_API_KEY"));
    const baseURL = options.baseURL ?? readEnv("VOLTASIS_BASE_URL") ?? DEFAULT_BASE_URL;
    // The seeds write the base URL with /v1; the contract's paths carry it already.
    this.baseURL = baseURL.replace(/\/+$/, "").replace(/\/v1$/, "");
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    // Wrapped: a browser's fetch throws "Illegal invocation" when called as another object's method.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** One call: its `data` (json), nothing (empty) or the Response (file). */
  async request<T>(spec: RequestSpec, options?: RequestOptions): Promise<T> {
    const { response, json } = await this.#send(spec, options);
    if (spec.response === "file") return response as T;
    if (spec.response === "empty") return undefined as T;
    return (json as { data: T }).data;
  }

  /** A list: awaiting it gives the first page; iterating it gives every item, page by page. */
  list<T>(spec: ListSpec, options?: RequestOptions): PagePromise<T> {
    return PagePromise.start<T>(spec, async (query) => {
      const { json } = await this.#send({ ...spec, query, response: "json" }, options);
      return json as PageResponse<T>;
    });
  }

  /**
   * An endless event stream: resolves once the server accepted it (the attempt keeps the timeout
   * and the retries of any request), then yields each event's `data` as it comes, reconnecting
   * with `Last-Event-ID` when the connection drops. See EventStream.
   */
  async stream<T>(spec: StreamSpec, options: RequestOptions = {}): Promise<EventStream<T>> {
    const connect = async (lastEventId: string | undefined) => {
      const headers = lastEventId ? { ...options.headers, "Last-Event-ID": lastEventId } : options.headers;
      const { response } = await this.#send({ ...spec, response: "stream" }, { ...options, headers });
      return response;
    };
    return EventStream.open<T>(connect, {
      idleTimeoutMs: options.timeout ?? this.timeout,
      signal: options.signal,
    });
  }

  async #send(spec: RequestSpec, options: RequestOptions = {}): Promise<Attempt> {
    const url = this.#url(spec);
    const headers = this.#headers(spec, options);
    const maxRetries = options.maxRetries ?? this.maxRetries;
    for (let retry = 0; ; retry++) {
      try {
        return await this.#attempt(url, spec, headers, options);
      } catch (error) {
        if (retry >= maxRetries || !isRetryable(error)) throw error;
        const failure = error as APIError;
        const delayMs = retryDelayMs({ retry, retryAfterHeader: failure.headers?.get("retry-after") });
        if (delayMs === undefined) throw error;
        this.#options.onRetry?.({ method: spec.method, url, retry: retry + 1, delayMs, error: failure });
        await sleep(delayMs, options.signal);
      }
    }
  }

  async #attempt(
    url: string,
    spec: RequestSpec,
    headers: Record<string, string>,
    options: RequestOptions,
  ): Promise<Attempt> {
    const timeoutMs = options.timeout ?? this.timeout;
    const controller = new AbortController();
    const userSignal = options.signal;
    if (userSignal?.aborted) throw new APIUserAbortError(userSignal.reason);
    const forwardAbort = () => controller.abort(userSignal?.reason);
    userSignal?.addEventListener("abort", forwardAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const response = await this.#fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: controller.signal,
      });
      // The body of a stream never ends: it is read by EventStream, without this timeout.
      if (spec.response === "stream" && response.ok) return { response, json: undefined };
      // The whole body is read under the same timeout, so a stalled body is retried too.
      const bytes = await response.arrayBuffer();
      const text = new TextDecoder().decode(bytes);
      const json = parseJson(text, response.headers);
      if (!response.ok) throw errorFromResponse(response.status, json, response.headers);
      if (spec.response === "file") {
        const copy = new Response(bytes, { status: response.status, headers: response.headers });
        return { response: copy, json: undefined };
      }
      if (spec.response === "json" && (json === undefined || typeof json !== "object")) {
        throw new APIError({
          status: response.status,
          code: "INVALID_RESPONSE",
          message: "The response is not the JSON envelope the API answers with",
          requestId: response.headers.get("x-request-id") ?? undefined,
          headers: response.headers,
        });
      }
      return { response, json };
    } catch (error) {
      if (error instanceof APIError) throw error;
      if (userSignal?.aborted) throw new APIUserAbortError(error);
      if (timedOut) throw new APIConnectionTimeoutError(timeoutMs);
      throw new APIConnectionError({ cause: error });
    } finally {
      clearTimeout(timer);
      userSignal?.removeEventListener("abort", forwardAbort);
    }
  }

  #url(spec: RequestSpec): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value === undefined || value === null) continue;
      // The API's list-valued parameters (group_by) are comma-separated.
      search.set(name, Array.isArray(value) ? value.join(",") : String(value));
    }
    const query = search.toString();
    return `${this.baseURL}${spec.path}${query ? `?${query}` : ""}`;
  }

  #headers(spec: RequestSpec, options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: spec.response === "stream" ? "text/event-stream" : "application/json",
    };
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    if (this.#options.organizationId) headers["X-Organization-ID"] = this.#options.organizationId;
    Object.assign(headers, this.#options.defaultHeaders, options.headers);
    const hasKey = Object.keys(headers).some((name) => name.toLowerCase() === "idempotency-key");
    if (spec.idempotent && !hasKey)
      headers["Idempotency-Key"] = options.idempotencyKey ?? newIdempotencyKey();
    return headers;
  }
}

/** JSON bodies are parsed; anything else (a proxy's HTML page, an empty 204) is undefined. */
function parseJson(text: string, headers: Headers): unknown {
  if (text === "" || !(headers.get("content-type") ?? "").includes("json")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A UUID v4; `crypto.randomUUID` needs a secure context in browsers, getRandomValues does not. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An environment variable in Node; undefined in a browser, which has no `process`. */
function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name]?.trim();
  return value ? value : undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new APIUserAbortError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
