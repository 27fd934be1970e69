import type { AfterSending } from "../../helpers/raw-http.js";
import { type IdBook, sample } from "./baseline.js";
import type { Operation } from "./operations.js";

export interface RawCase {
  label: string;
  request: string;
  after: AfterSending;
  /**
   * `refused`: a 4xx in the envelope. `answered`: anything but a 5xx (a route that takes no body
   * may answer before the cut is noticed). `nobody`: the client hung up, no answer to check.
   */
  expect: "refused" | "answered" | "nobody";
}

const HUGE = "x".repeat(20_000);
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/**
 * What only a real socket can carry, for each operation: over-long URLs and parameters, headers
 * over Node's limit, bodies cut short, bad Content-Lengths, unknown and unrouted methods, bytes
 * Node's parser refuses. Each must answer with a 4xx in the envelope, or (the client gone) not
 * at all, and the server must go on serving.
 */
export function rawCasesFor(op: Operation, paths: Set<string>, ids: IdBook, token: string): RawCase[] {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = op.parameters.find((p) => p.in === "path" && p.name === name);
    return encodeURIComponent(String(sample(param?.schema ?? {}, ids)));
  });
  const request = (method: string, target: string, headers = "", body = "") =>
    `${method} ${target} HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer ${token}\r\n${headers}\r\n${body}`;
  const json = "Content-Type: application/json\r\n";
  const cases: RawCase[] = [
    { label: "URL over the header limit", request: request(op.method, `${path}?q=${HUGE}`) },
    { label: "headers over the limit", request: request(op.method, path, `X-Fuzz: ${HUGE}\r\n`) },
    {
      label: "Content-Length not a number",
      request: request(op.method, path, `${json}Content-Length: abc\r\n`, "{}"),
    },
    {
      label: "Content-Length negative",
      request: request(op.method, path, `${json}Content-Length: -1\r\n`, "{}"),
    },
    { label: "NUL in a header", request: request(op.method, path, "X-Organization-ID: a\u0000b\r\n") },
    { label: "unknown method", request: request("FUZZ", path) },
    { label: "PROPFIND", request: request("PROPFIND", path) },
    ...METHODS.filter((method) => !paths.has(`${method} ${op.path}`))
      .slice(0, 1)
      .map((method) => ({
        label: `${method}, which the path does not have`,
        request: request(method, path),
      })),
  ].map((c) => ({ ...c, after: "wait" as const, expect: "refused" as const }));
  if (op.path.includes("{")) {
    const long = op.path.replace(/\{\w+\}/, "x".repeat(10_000)).replace(/\{(\w+)\}/g, "x");
    cases.push({
      label: "10 kB path parameter",
      request: request(op.method, long),
      after: "wait",
      expect: "refused",
    });
  }
  const cut = request(op.method, path, `${json}Content-Length: 1000\r\n`, '{"cut":"');
  cases.push({
    label: "body cut short, then half-closed",
    request: cut,
    after: "half-close",
    expect: op.body ? "refused" : "answered",
  });
  cases.push({ label: "body cut short, then hung up", request: cut, after: "close", expect: "nobody" });
  return cases;
}

/** Requests that are wrong before there is any operation to speak of. */
export const MALFORMED_REQUESTS: RawCase[] = [
  "GARBAGE\r\n\r\n",
  "GET / HTTP/9.9\r\nHost: fuzz\r\n\r\n",
  "GET /health HTTP/1.1\r\n\r\n",
  "GET /v1/cli ents HTTP/1.1\r\nHost: fuzz\r\n\r\n",
  "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
  "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
  "POST /v1/clients HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
  "POST /v1/clients HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
].map((request) => ({
  label: JSON.stringify(request.split("\r\n")[0]),
  request,
  after: "wait",
  expect: "refused",
}));
