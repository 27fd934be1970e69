import pino from "pino";
import { describe, expect, it } from "vitest";
import { requestLine, serializers } from "./logger.js";

/** What pino itself writes for the request line, with the app's serializers (logger.ts). */
function pinoLine(request: { id: string; method: string; url: string }, statusCode: number, time: number) {
  const lines: string[] = [];
  const logger = pino(
    {
      timestamp: () => `,"time":${time}`,
      serializers,
    },
    { write: (line: string) => lines.push(line) },
  );
  logger.info(
    { reqId: request.id, req: request, res: { statusCode }, responseTime: 1.2345 },
    "request completed",
  );
  return lines[0];
}

describe("the request line", () => {
  it.each([
    { id: "req_01JD6V7W9Q3E4R5T6Y7Z8H9K0P", method: "GET", url: "/v1/auth/me" },
    // A client's own X-Request-ID, and a URL with what JSON must escape.
    { id: "client:trace-7.a_b", method: "POST", url: '/v1/tags?q="x"\\y&name=é😀%20' },
  ])("is byte for byte what pino writes: same keys, same order, same escaping ($url)", (request) => {
    const time = 1_764_661_234_567;
    const ours = requestLine(request, 201, 1.2345, time);
    expect(ours).toBe(pinoLine(request, 201, time));
    expect(JSON.parse(ours)).toEqual({
      level: 30,
      time,
      pid: process.pid,
      hostname: expect.any(String),
      reqId: request.id,
      req: { method: request.method, url: request.url, request_id: request.id },
      res: { statusCode: 201 },
      responseTime: 1.2345,
      msg: "request completed",
    });
  });
});
