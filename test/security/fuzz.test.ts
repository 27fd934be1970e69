import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { rawExchange } from "../helpers/raw-http.js";
import { type Arrangement, arrange } from "./fuzz/arrangement.js";
import { casesFor, type FuzzRequest } from "./fuzz/cases.js";
import { problemWith } from "./fuzz/envelope-check.js";
import { changedTables, installWriteCounter } from "./fuzz/fingerprint.js";
import { type Operation, readOperations } from "./fuzz/operations.js";
import { resolve } from "./fuzz/placeholders.js";
import { MALFORMED_REQUESTS, rawCasesFor } from "./fuzz/raw-cases.js";

/**
 * Issue 10, point 1: every operation of every OpenAPI document the app serves, with one input at
 * a time replaced by a hostile value (tables in ./fuzz/hostile-values.ts). Valid values come
 * from the schemas themselves, so a route added tomorrow is fuzzed without editing this file.
 * The tables are fixed, so a failure replays exactly: its label names the input and the value.
 */

let t: TestApp;
let arrangement: Arrangement;
let fingerprint: () => Promise<string>;

beforeAll(async () => {
  // No background workers (their writes would move the fingerprints) and no rate limits (the
  // run sends thousands of requests a minute on one credential); private webhook URLs allowed.
  t = await createTestApp({
    VOLTASIS_WORKERS: "off",
    VOLTASIS_RATE_LIMITS: "off",
    VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true",
  });
  arrangement = await arrange(t);
  fingerprint = await installWriteCounter(t.db);
});
afterAll(() => t.close());

// One operation's cases alone, e.g. VOLTASIS_FUZZ_ONLY="POST /v1/clients": the tables are fixed,
// so a failure comes back the same.
const ONLY = process.env.VOLTASIS_FUZZ_ONLY;
// A stream that accepts an input never ends its response, so the fuzzer cannot wait for it; its
// hostile inputs (Accept, Last-Event-ID, filters, credentials) are walked in events.stream.error.test.ts.
const chosen = (op: Operation) => !op.streams && (!ONLY || `${op.method} ${op.path}`.includes(ONLY));

/** All failures at once, each naming its input and value, and how to replay the first one. */
function reportFailures(failures: string[]) {
  if (failures.length === 0) return;
  const operation = /^[A-Z]+ \S+/.exec(failures[0] as string)?.[0] ?? "GET /health";
  throw new Error(
    `${failures.length} failures; replay with VOLTASIS_FUZZ_ONLY="${operation}" npx vitest run ` +
      `test/security/fuzz.test.ts\n${failures.join("\n")}`,
  );
}

async function send(request: FuzzRequest) {
  const own = (text: string) => resolve(text, arrangement.actual());
  return t.app.inject({
    method: request.method as "GET",
    url: own(request.url),
    headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, own(value)])),
    ...(request.payload === undefined ? {} : { payload: own(request.payload) }),
  });
}

describe("fuzz: every operation of the OpenAPI documents, one hostile input at a time", () => {
  it("never answers 5xx, always answers errors in the envelope, and a refused request writes nothing", async () => {
    const all = await readOperations(t.app);
    expect(all.length).toBeGreaterThan(70);
    const operations = all.filter(chosen);
    const failures: string[] = [];
    let sent = 0;

    /**
     * Sends the cases. `each`: a fingerprint after every request, and a failure when one that
     * may not write did (`mayWrite` says which may: a success, for methods other than GET).
     */
    async function run(path: string, cases: FuzzRequest[], each?: { mayWrite: (status: number) => boolean }) {
      let before = each ? await fingerprint() : "";
      for (const request of cases) {
        const res = await send(request);
        sent += 1;
        const where = `${request.method} ${path} [${request.label}]`;
        const problem = problemWith({ statusCode: res.statusCode, headers: res.headers, body: res.body });
        if (problem) failures.push(`${where}: ${problem}`);
        if (!each) continue;
        const after = await fingerprint();
        if (!each.mayWrite(res.statusCode) && after !== before) {
          failures.push(`${where}: answered ${res.statusCode} but wrote to ${changedTables(before, after)}`);
        }
        before = after;
        if (res.statusCode < 300 && request.method !== "GET") {
          await arrangement.restore(request.method, resolve(request.url, arrangement.actual()));
          before = await fingerprint();
        }
      }
    }

    for (const op of operations) {
      const cases = casesFor(op);
      if (op.method !== "GET") {
        await run(op.path, cases, { mayWrite: (status) => status < 400 });
        continue;
      }
      // A GET writes nothing whatever it answers: one fingerprint around the whole operation,
      // and only when that moved, the cases again one by one to name the culprit.
      const before = await fingerprint();
      await run(op.path, cases);
      if ((await fingerprint()) !== before) await run(op.path, cases, { mayWrite: () => false });
    }

    console.info(`fuzz: ${sent} requests over ${operations.length} operations, ${failures.length} failures`);
    reportFailures(failures);
  }, 120_000);
});

describe("fuzz over a real socket: what only raw bytes can carry, for every operation", () => {
  let port: number;
  beforeAll(async () => {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    port = (t.app.server.address() as AddressInfo).port;
  });

  it("answers each with a 4xx in the envelope (or, the client gone, not at all), writes nothing, and lives on", async () => {
    const all = await readOperations(t.app);
    const paths = new Set(all.map((op) => `${op.method} ${op.path}`));
    const operations = all.filter(chosen);
    const failures: string[] = [];
    let sent = 0;
    const before = await fingerprint();
    for (const op of [...operations, null]) {
      const cases = op ? rawCasesFor(op, paths, arrangement.ids, arrangement.token()) : MALFORMED_REQUESTS;
      for (const { label, request, after, expect: expected } of cases) {
        const answer = await rawExchange(port, request, after);
        sent += 1;
        const where = op ? `${op.method} ${op.path} [${label}]` : label;
        if (expected === "nobody") continue;
        if (!answer) failures.push(`${where}: no answer`);
        else if (expected === "refused" && answer.status < 400)
          failures.push(`${where}: status ${answer.status}`);
        else {
          const problem = problemWith({
            statusCode: answer.status,
            headers: answer.headers,
            body: answer.body,
          });
          if (problem) failures.push(`${where}: ${problem}`);
        }
      }
    }
    const after = await fingerprint();
    if (after !== before) failures.push(`refused requests wrote to ${changedTables(before, after)}`);
    const health = await rawExchange(port, "GET /health HTTP/1.1\r\nHost: fuzz\r\n\r\n");
    expect(health?.status).toBe(200);
    console.info(`fuzz over a socket: ${sent} requests, ${failures.length} failures`);
    reportFailures(failures);
  }, 60_000);
});
