/**
 * The TypeScript SDK against a live server: the conformance scenario (test/sdk/SCENARIO.md) with
 * the SDK as users get it (`@voltasis/sdk`, built into sdks/typescript/dist by `npm install`),
 * the live event stream, then every ```ts block of sdks/typescript/README.md and docs/sdks.md.
 * The core's unit tests, which need no server, are in sdks/typescript/test/.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startReceiver } from "../helpers/webhook-receiver.js";
import { ROOT, runSuite, startConformanceServer } from "./harness.js";

/**
 * The SDK as built by `npm install` (sdks/typescript/dist), refused with the fix when it is
 * missing or older than its sources: the scenario must not pass on yesterday's build.
 */
async function builtSdk(): Promise<typeof import("@voltasis/sdk")> {
  const sdk = path.join(ROOT, "sdks/typescript");
  const built = path.join(sdk, "dist/index.js");
  const rebuild = "run `npm install` or `npm run build -w @voltasis/sdk`";
  if (!existsSync(built)) throw new Error(`sdks/typescript/dist is missing: ${rebuild}`);
  const newest = (dir: string): number =>
    Math.max(
      ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? newest(full) : statSync(full).mtimeMs;
      }),
    );
  if (newest(path.join(sdk, "src")) > statSync(built).mtimeMs) {
    throw new Error(`sdks/typescript/dist is older than src/: ${rebuild}`);
  }
  return import("@voltasis/sdk");
}

const {
  AuthenticationError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  Voltasis,
  WebhookVerificationError,
  verifyWebhookSignature,
} = await builtSdk();

let server: { baseUrl: string; stop(): Promise<void> };

beforeAll(async () => {
  server = await startConformanceServer();
});
afterAll(async () => {
  await server?.stop();
});

const uniqueEmail = (who: string) => `${who}-${randomBytes(4).toString("hex")}@example.com`;

/** A new account and an admin API key of it, through the SDK (scenario steps 1 and 2). */
async function newAccount(who: string): Promise<{ accessToken: string; apiKey: string }> {
  const anonymous = new Voltasis({ apiKey: null, baseURL: server.baseUrl });
  const session = await anonymous.auth.register({
    email: uniqueEmail(who),
    password: "correct horse battery staple",
    name: "Ada Lovelace",
    organization_name: `${who} org`,
  });
  const asUser = new Voltasis({ accessToken: session.access_token, baseURL: server.baseUrl });
  const key = await asUser.apiKeys.create({ name: `${who} key`, scopes: ["admin"] });
  expect(key.secret).toMatch(/^vlt_live_/);
  return { accessToken: session.access_token, apiKey: key.secret };
}

/** A fetch that remembers each request and its answer's X-Request-ID. */
function recordingFetch() {
  const calls: { method: string; url: URL; requestId: string | null; status: number }[] = [];
  const recording: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    calls.push({
      method: init?.method ?? "GET",
      url: new URL(String(input)),
      requestId: response.headers.get("x-request-id"),
      status: response.status,
    });
    return response;
  };
  return { fetch: recording, calls };
}

describe("TypeScript SDK: the conformance scenario", () => {
  it("runs every step of test/sdk/SCENARIO.md against the live server", { timeout: 90_000 }, async () => {
    // 1–2. Register, then an admin key made with the access token; the key from the environment.
    const { apiKey } = await newAccount("scenario");
    vi.stubEnv("VOLTASIS_API_KEY", apiKey);
    vi.stubEnv("VOLTASIS_BASE_URL", server.baseUrl);
    const recorder = recordingFetch();
    const client = new Voltasis({ fetch: recorder.fetch });
    vi.unstubAllEnvs();
    expect((await client.auth.me()).scopes).toContain("admin");

    // 3. A client, a project under it, a task in the project and a tag.
    const customer = await client.clients.create({ name: "Globex" });
    const project = await client.projects.create({ name: "Apollo", client_id: customer.id });
    const task = await client.tasks.create({ title: "Design", project_id: project.id });
    const tag = await client.tags.create({ name: "deep-work" });
    expect((await client.projects.retrieve(project.id)).client_id).toBe(customer.id);

    // 4. A timer: start, current, stop.
    const timer = await client.timeEntries.start({
      project_id: project.id,
      task_id: task.id,
      tag_ids: [tag.id],
      description: "Sketching",
    });
    expect((await client.timeEntries.current())?.id).toBe(timer.id);
    const stopped = await client.timeEntries.stop(timer.id);
    expect(stopped.end).not.toBeNull();
    expect(await client.timeEntries.current()).toBeNull();

    // 5. 120 entries, then all 121 through the lazy list: 3 requests of 50.
    const base = Date.parse("2024-03-01T00:00:00Z");
    for (let batch = 0; batch < 120; batch += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          client.timeEntries.create({
            start: new Date(base + (batch + i) * 3_600_000).toISOString(),
            duration: 600,
            project_id: project.id,
          }),
        ),
      );
    }
    const listRequests = () =>
      recorder.calls.filter((c) => c.method === "GET" && c.url.pathname === "/v1/time-entries").length;
    const seen = new Set<string>();
    const list = client.timeEntries.list({ per_page: 50 });
    expect(listRequests()).toBe(0);
    for await (const entry of list) {
      seen.add(entry.id);
      if (seen.size === 1) expect(listRequests()).toBe(1);
    }
    expect(seen.size).toBe(121);
    expect(listRequests()).toBe(3);

    // 6. The summary by project holds the entries' seconds.
    const summary = await client.reports.summary({
      from: "2024-01-01T00:00:00Z",
      to: new Date(Date.now() + 86_400_000).toISOString(),
      group_by: "project",
    });
    const group = summary.groups.find((g) => g.key.project_id === project.id);
    expect(group?.seconds).toBe(120 * 600 + (stopped.duration ?? 0));

    // 7. A 404 with everything the error carries.
    const missing = "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
    const notFound = await client.projects.retrieve(missing).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(notFound).toBeInstanceOf(NotFoundError);
    const error = notFound as InstanceType<typeof NotFoundError>;
    expect(error).toMatchObject({ status: 404, code: "NOT_FOUND" });
    expect(error.message).toContain(missing);
    expect(error.details).toBeTypeOf("object");
    expect(error.requestId).toMatch(/^req_/);
    expect(error.requestId).toBe(recorder.calls.at(-1)?.requestId);

    // 8. A webhook delivery, verified both ways; tampering, a wrong secret and an old timestamp refused.
    const receiver = await startReceiver();
    try {
      const webhook = await client.webhooks.create({ url: receiver.url, events: ["tag.created"] });
      await client.tags.create({ name: "webhooked" });
      await vi.waitFor(() => expect(receiver.requests.length).toBeGreaterThan(0), { timeout: 20_000 });
      const [delivery] = receiver.requests;
      if (!delivery) throw new Error("no delivery");
      expect(delivery.json.event).toBe("tag.created");
      const event = await client.webhooks.unwrap(delivery.body, delivery.headers, webhook.secret);
      expect(event.data.name).toBe("webhooked");
      await client.webhooks.verifySignature(delivery.body, delivery.headers, webhook.secret, {
        scheme: "x-signature",
      });
      const refusals = await Promise.all(
        [
          verifyWebhookSignature(`${delivery.body} `, delivery.headers, webhook.secret),
          verifyWebhookSignature(`${delivery.body} `, delivery.headers, webhook.secret, {
            scheme: "x-signature",
          }),
          verifyWebhookSignature(
            delivery.body,
            delivery.headers,
            `whsec_${randomBytes(24).toString("base64")}`,
          ),
          verifyWebhookSignature(delivery.body, delivery.headers, `${webhook.secret}x`, {
            scheme: "x-signature",
          }),
          verifyWebhookSignature(delivery.body, delivery.headers, webhook.secret, {
            now: new Date(Date.now() + 10 * 60_000),
          }),
        ].map((check) =>
          check.then(
            () => "accepted",
            (e: unknown) => e instanceof WebhookVerificationError,
          ),
        ),
      );
      expect(refusals).toEqual([true, true, true, true, true]);
    } finally {
      await receiver.close();
    }

    // 9. On the free plan (3 requests per 2 s here) a burst of 6 gets through by retrying after
    // Retry-After; with retries off the same burst raises RateLimitError with retry_after.
    await client.organization.update({ plan: "free" });
    let retries = 0;
    const patient = new Voltasis({
      apiKey,
      baseURL: server.baseUrl,
      onRetry: (event) => {
        if (event.error instanceof RateLimitError) retries += 1;
      },
    });
    for (let i = 0; i < 6; i++) await patient.auth.me();
    expect(retries).toBeGreaterThanOrEqual(1);

    const impatient = new Voltasis({ apiKey, baseURL: server.baseUrl, maxRetries: 0 });
    let limited: unknown;
    // Up to 10: a burst may straddle two 2-second windows, but not three.
    for (let i = 0; i < 10 && !limited; i++) {
      limited = await impatient.auth.me().then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    expect(limited).toBeInstanceOf(RateLimitError);
    const rateLimit = limited as InstanceType<typeof RateLimitError>;
    expect(rateLimit.retryAfter).toBeGreaterThan(0);
    expect(rateLimit.details.retry_after).toBe(rateLimit.retryAfter);
  });
});

/** The live event stream (docs/streaming.md) through the SDK, each part on a new account. */
describe("TypeScript SDK: the event stream", () => {
  // A stream that misses what it waits for would wait forever; this ends the test instead.
  const deadline = () => AbortSignal.timeout(20_000);

  it("receives project.created for a project created once it connected", { timeout: 30_000 }, async () => {
    const client = new Voltasis({ apiKey: (await newAccount("stream")).apiKey, baseURL: server.baseUrl });
    const events = await client.events.stream(undefined, { signal: deadline() });
    const project = await client.projects.create({ name: "Streamed" });
    for await (const event of events) {
      expect(event).toMatchObject({
        event: "project.created",
        resource_type: "project",
        resource_id: project.id,
      });
      expect(event.data).toMatchObject({ id: project.id, name: "Streamed" });
      break;
    }
    expect(events.lastEventId).toMatch(/^evt_/);
  });

  it("resumes after a given event with exactly the events after it, then live ones", {
    timeout: 30_000,
  }, async () => {
    const client = new Voltasis({ apiKey: (await newAccount("resume")).apiKey, baseURL: server.baseUrl });
    const tags: { id: string }[] = [];
    for (const name of ["first", "second", "third"]) tags.push(await client.tags.create({ name }));
    const page = await client.events.list({ resource_type: "tag", limit: 3 });
    const firstEvent = page.data.find((e) => e.resource_id === tags[0]?.id);
    if (!firstEvent) throw new Error("no event for the first tag");

    const resumed = await client.events.stream({ last_event_id: firstEvent.id }, { signal: deadline() });
    const seen: string[] = [];
    for await (const event of resumed) {
      seen.push(event.resource_id);
      if (seen.length === 2) tags.push(await client.tags.create({ name: "fourth" }));
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([tags[1]?.id, tags[2]?.id, tags[3]?.id]);
  });

  it("refuses a key without read:events with PermissionDeniedError", async () => {
    const client = new Voltasis({ apiKey: (await newAccount("scope")).apiKey, baseURL: server.baseUrl });
    const key = await client.apiKeys.create({ name: "projects only", scopes: ["read:projects"] });
    const limited = new Voltasis({ apiKey: key.secret, baseURL: server.baseUrl });
    const refused = await limited.events.stream().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect(refused).toMatchObject({ status: 403, code: "FORBIDDEN" });
  });

  it("frees the server's stream slot on close() and on break: 6 streams in turn under a cap of 5", {
    timeout: 60_000,
  }, async () => {
    const client = new Voltasis({ apiKey: (await newAccount("slots")).apiKey, baseURL: server.baseUrl });
    for (let i = 0; i < 3; i++) (await client.events.stream()).close();
    for (let i = 0; i < 3; i++) {
      const events = await client.events.stream(undefined, { signal: deadline() });
      await client.tags.create({ name: `slot ${i}` });
      for await (const _ of events) break;
    }
    // All six were refused or not by now; a seventh while one is held shows the cap still holds.
    const held = await Promise.all(Array.from({ length: 5 }, () => client.events.stream()));
    const refused = await client.events.stream(undefined, { maxRetries: 0 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    for (const events of held) events.close();
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(refused).toMatchObject({ reason: "too_many_streams" });
  });

  it("throws AuthenticationError when the stream's key is revoked", { timeout: 30_000 }, async () => {
    const admin = new Voltasis({ apiKey: (await newAccount("revoke")).apiKey, baseURL: server.baseUrl });
    const key = await admin.apiKeys.create({ name: "revoked soon", scopes: ["read"] });
    const events = await new Voltasis({ apiKey: key.secret, baseURL: server.baseUrl }).events.stream(
      undefined,
      {
        signal: deadline(),
      },
    );
    await admin.apiKeys.delete(key.id);
    const ended = await (async () => {
      for await (const _ of events);
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(ended).toBeInstanceOf(AuthenticationError);
    expect(ended).toMatchObject({ status: 401, reason: "revoked_token" });
  });
});

/**
 * The examples run: every ```ts block of sdks/typescript/README.md and of docs/sdks.md (whose
 * other languages' blocks the other SDKs' suites run) is a module of its own, run with tsx as a
 * reader would run it, with VOLTASIS_BASE_URL and VOLTASIS_API_KEY (an admin key of a new account
 * on the enterprise plan, one for each file) set. Both files state the same convention at the top.
 */
const EXAMPLES = ["sdks/typescript/README.md", "docs/sdks.md"];

/** The ```ts blocks of a markdown file, with the line each starts on. */
function tsBlocks(file: string) {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, i) => ({
    index: i + 1,
    line: text.slice(0, match.index).split("\n").length,
    code: match[1] as string,
  }));
}

for (const file of EXAMPLES) {
  describe(`TypeScript SDK: the examples of ${file}`, () => {
    const blocks = tsBlocks(file);
    const dir = path.join(ROOT, ".tmp", `sdk-examples-${randomBytes(4).toString("hex")}`);
    let env: Record<string, string>;

    const fileOf = (block: { index: number }) => path.join(dir, `block-${block.index}.ts`);

    beforeAll(async () => {
      mkdirSync(dir, { recursive: true });
      // A module each, even a block without an import, so that blocks never share a scope.
      for (const block of blocks) writeFileSync(fileOf(block), `${block.code}\nexport {};\n`);
      const { apiKey } = await newAccount("examples");
      env = { VOLTASIS_BASE_URL: server.baseUrl, VOLTASIS_API_KEY: apiKey };
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("has examples, and each type-checks as a reader's strict TypeScript project would", {
      timeout: 60_000,
    }, async () => {
      expect(blocks.length).toBeGreaterThanOrEqual(8);
      const compilerOptions = {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
      };
      writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["*.ts"] }));
      const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
      const result = await runSuite(process.execPath, [tsc, "-p", dir], { cwd: ROOT, env: {} });
      expect(result.code, result.output).toBe(0);
    });

    for (const block of blocks) {
      it(`block ${block.index} (${file} line ${block.line}) runs`, { timeout: 60_000 }, async () => {
        const result = await runSuite(process.execPath, ["--import", "tsx", fileOf(block)], {
          cwd: ROOT,
          env,
          timeoutMs: 50_000,
        });
        expect(result.code, `${block.code}\n---\n${result.output}`).toBe(0);
      });
    }
  });
}
