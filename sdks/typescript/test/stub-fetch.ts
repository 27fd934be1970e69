import type { APIError } from "../src/index.js";

/**
 * A fetch that answers from a script instead of the network, and records what it was asked:
 * the unit tests of the core need no server.
 */
export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string | undefined;
}

export type Answer = Response | Error | ((request: RecordedRequest) => Response | Promise<Response>);

export interface StubFetch {
  fetch: typeof fetch;
  requests: RecordedRequest[];
}

/** Answers each request with the next answer in `answers` (the last one repeats). */
export function stubFetch(...answers: Answer[]): StubFetch {
  const requests: RecordedRequest[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const request: RecordedRequest = {
      method: init.method ?? "GET",
      url: new URL(String(input)),
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? init.body : undefined,
    };
    requests.push(request);
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    if (typeof answer === "function") return answer(request);
    return (answer as Response).clone();
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

const REQUEST_ID = "req_01JD6V7W9Q3E4R5T6Y7V8K9M0P";

/** A success envelope `{data, metadata}` (plus `pagination` for a page). */
export function ok(data: unknown, extra: Record<string, unknown> = {}, status = 200): Response {
  return Response.json(
    { data, ...extra, metadata: { timestamp: "2024-01-01T00:00:00Z", request_id: REQUEST_ID } },
    { status, headers: { "X-Request-ID": REQUEST_ID } },
  );
}

/** An error envelope as the API sends it. */
export function apiError(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const requestId = `req_${status}ERR`;
  return Response.json(
    {
      error: { code, message, details },
      metadata: { timestamp: "2024-01-01T00:00:00Z", request_id: requestId },
    },
    { status, headers: { "X-Request-ID": requestId, ...headers } },
  );
}

/** The 429 the API answers when a plan's limit is hit. */
export const rateLimited = (retryAfter: number) =>
  apiError(
    429,
    "RATE_LIMIT_EXCEEDED",
    `Rate limit exceeded. Try again in ${retryAfter} seconds.`,
    { retry_after: retryAfter, reason: "credential_limit" },
    { "Retry-After": String(retryAfter) },
  );

/** What `promise` was rejected with; fails when it resolves. */
export async function rejection<E = APIError>(promise: PromiseLike<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error("expected a rejection, but the promise resolved");
}
