import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  RateLimitError,
  UnprocessableEntityError,
  ValidationError,
  Voltasis,
} from "../src/index.js";
import { apiError, rejection, stubFetch } from "./stub-fetch.js";

const BASE = "http://api.test";

describe("errors by status", () => {
  const cases = [
    [400, "VALIDATION_ERROR", BadRequestError],
    [401, "UNAUTHORIZED", AuthenticationError],
    [403, "FORBIDDEN", PermissionDeniedError],
    [404, "NOT_FOUND", NotFoundError],
    [409, "CONFLICT", ConflictError],
    [412, "PRECONDITION_FAILED", PreconditionFailedError],
    [413, "PAYLOAD_TOO_LARGE", APIError],
    [422, "IDEMPOTENCY_KEY_REUSED", UnprocessableEntityError],
    [429, "RATE_LIMIT_EXCEEDED", RateLimitError],
    [500, "INTERNAL_ERROR", InternalServerError],
    [503, "SERVICE_UNAVAILABLE", InternalServerError],
  ] as const;

  for (const [status, code, ErrorClass] of cases) {
    it(`${status} ${code} raises ${ErrorClass.name} with status, code, message, details and request id`, async () => {
      const stub = stubFetch(apiError(status, code, `message for ${status}`, { reason: "because" }));
      const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch, maxRetries: 0 });

      const error = await rejection(client.projects.retrieve("prj_1"));
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toBeInstanceOf(APIError);
      expect(error).toMatchObject({
        status,
        code,
        message: `message for ${status}`,
        details: { reason: "because" },
        reason: "because",
        requestId: `req_${status}ERR`,
      });
      expect(error.name).toBe(ErrorClass === APIError ? "APIError" : ErrorClass.name);
    });
  }

  it("a validation error names the field; ValidationError is BadRequestError", async () => {
    const stub = stubFetch(
      apiError(400, "VALIDATION_ERROR", "name is required", { field: "name", reason: "required" }),
    );
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stub.fetch });

    const error = await rejection<ValidationError>(client.projects.create({} as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe("name");
  });

  it("a non-JSON error page (a proxy's) still raises the status's class", async () => {
    const page = new Response("<html>Bad gateway</html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    });
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: stubFetch(page).fetch, maxRetries: 0 });

    const error = await rejection(client.projects.retrieve("prj_1"));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, code: "HTTP_502", details: {}, requestId: undefined });
  });
});

describe("no answer", () => {
  it("a refused connection raises APIConnectionError after the retries", async () => {
    // A port that was just free: nothing listens there now.
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const attempts: number[] = [];
    const client = new Voltasis({
      apiKey: "k",
      baseURL: `http://127.0.0.1:${port}`,
      maxRetries: 1,
      onRetry: (event) => attempts.push(event.retry),
    });

    const error = await rejection(client.status.retrieve());
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).toMatchObject({ status: undefined, code: "CONNECTION_ERROR", requestId: undefined });
    expect(attempts).toEqual([1]);
  });

  it("a server that never answers raises APIConnectionTimeoutError after the timeout", async () => {
    let received = 0;
    const server = http.createServer(() => {
      received += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = new Voltasis({ apiKey: "k", baseURL: `http://127.0.0.1:${port}`, timeout: 200 });
      const error = await rejection(client.status.retrieve({ maxRetries: 0 }));
      expect(error).toBeInstanceOf(APIConnectionTimeoutError);
      expect(error).toBeInstanceOf(APIConnectionError);
      expect(error).toMatchObject({ code: "TIMEOUT", message: "Request timed out after 200 ms" });
      expect(received).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("aborting a request in flight raises APIUserAbortError and is not retried", async () => {
    let calls = 0;
    const hang = (_: unknown, init?: RequestInit) => {
      calls += 1;
      return new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    };
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: hang as typeof fetch });
    const controller = new AbortController();
    const pending = rejection(client.tags.retrieve("tag_1", { signal: controller.signal }));
    controller.abort();
    const error = await pending;
    expect(error.name).toBe("APIUserAbortError");
    expect(calls).toBe(1);
  });

  it("a timeout per request overrides the client's", async () => {
    const hang = (_: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    const client = new Voltasis({ apiKey: "k", baseURL: BASE, fetch: hang as typeof fetch, timeout: 60_000 });
    const error = await rejection(client.tags.retrieve("tag_1", { timeout: 50, maxRetries: 0 }));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error.message).toBe("Request timed out after 50 ms");
  });
});
