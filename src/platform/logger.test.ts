import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createTestApp } from "../../test/helpers/app.js";
import { call, registerAccount } from "../../test/helpers/fixtures.js";
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

describe("the app's request lines", () => {
  /** The file's request lines once `count` have arrived: the destination writes asynchronously. */
  async function requestLines(file: string, count: number): Promise<Array<Record<string, unknown>>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const text = await fs.readFile(file, "utf8").catch(() => "");
      const lines = text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((line) => line.msg === "request completed");
      if (lines.length >= count || Date.now() > deadline) return lines;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("writes one line per request, in the order answered, also when many are answered in one turn", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-log-"));
    const file = path.join(dir, "app.log");
    const t = await createTestApp({ LOG_LEVEL: "info" }, { logFile: file });
    try {
      const owner = await registerAccount(t.app);
      const me = (id: string) =>
        call(t.app, owner.accessToken, {
          method: "GET",
          url: "/v1/auth/me",
          headers: { "x-request-id": id },
        });
      // One after another, then 50 at once: those are answered in the same turns of the event loop.
      for (let i = 0; i < 5; i++) expect((await me(`one-${i}`)).statusCode).toBe(200);
      const together = Array.from({ length: 50 }, (_, i) => `together-${i}`);
      for (const res of await Promise.all(together.map(me))) expect(res.statusCode).toBe(200);
      await t.close();

      // Registration's requests, then ours.
      const lines = await requestLines(file, 56);
      const ids = lines.map((line) => line.reqId);
      expect(ids.filter((id) => String(id).startsWith("one-"))).toEqual([
        "one-0",
        "one-1",
        "one-2",
        "one-3",
        "one-4",
      ]);
      expect(ids.filter((id) => String(id).startsWith("together-")).sort()).toEqual([...together].sort());
      // Each once, and the ones sent one after another before those sent together.
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(56);
      expect(ids.indexOf("one-4")).toBeLessThan(ids.indexOf("together-0"));
      for (const line of lines.filter((l) => String(l.reqId).startsWith("together-"))) {
        expect(line).toMatchObject({
          level: 30,
          req: { method: "GET", url: "/v1/auth/me" },
          res: { statusCode: 200 },
        });
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
