import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ServerProcess, startServer } from "../helpers/server-process.js";
import { type Receiver, startReceiver } from "../helpers/webhook-receiver.js";

// SPEC §7 at-least-once: a delivery is queued in the change's transaction, so killing the process
// mid-delivery loses nothing. The real program on its embedded PostgreSQL, killed with SIGKILL.
const CHANGES = 200;

let dataDir: string;
let server: ServerProcess | undefined;
let receiver: Receiver;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-webhooks-"));
  await fs.chmod(dataDir, 0o755);
  // At first the endpoint never answers: deliveries are in flight or queued when the kill comes.
  receiver = await startReceiver(() => "hang");
});
afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill("SIGTERM");
    await server.exited;
  }
  await receiver.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const env = () => ({
  VOLTASIS_DATA_DIR: dataDir,
  VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true",
  VOLTASIS_RATE_LIMITS: "off",
  LOG_LEVEL: "warn",
});

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(`${server?.baseUrl}${url}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

describe("webhook deliveries survive SIGKILL", () => {
  it("every event queued before the kill arrives after the restart", { timeout: 180_000 }, async () => {
    server = await startServer(env());
    const account = await post("/v1/auth/register", {
      email: "hooks@example.com",
      password: "correct horse battery",
      name: "Hooks",
      organization_name: "Hooks Org",
    });
    const token = account.access_token as string;
    await post("/v1/webhooks", { url: receiver.url, events: ["project.created"] }, token);

    const projectIds: string[] = [];
    for (let i = 0; i < CHANGES; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) => post("/v1/projects", { name: `Project ${i + j}` }, token)),
      );
      projectIds.push(...batch.map((p) => p.id as string));
    }
    // Deliveries have started (the endpoint is holding them) but none has completed.
    await vi.waitFor(() => expect(receiver.requests.length).toBeGreaterThan(0), { timeout: 10_000 });
    server.child.kill("SIGKILL");
    await server.exited;

    // From now on the endpoint answers 200; only what it accepts from here on counts as arrived.
    receiver.respond(() => ({ status: 200, body: "ok" }));
    const unanswered = receiver.requests.length;
    expect(unanswered).toBeLessThan(CHANGES);
    server = await startServer(env());

    // Queued rows go out at once; those the dead process had claimed once its lease (30 s) runs out.
    const accepted = () => receiver.requests.slice(unanswered);
    const delivered = () => new Set(accepted().map((r) => r.json.data.id as string));
    await vi.waitFor(
      () => {
        const missing = projectIds.filter((id) => !delivered().has(id));
        expect(missing).toEqual([]);
      },
      { timeout: 90_000, interval: 250 },
    );
    // One event per change, each under one webhook-id whatever the number of attempts; those the
    // killed process had in flight came again under the webhook-id they first had.
    const idsByProject = new Map<string, Set<string>>();
    for (const request of accepted()) {
      const ids = idsByProject.get(request.json.data.id as string) ?? new Set();
      ids.add(request.headers["webhook-id"] as string);
      idsByProject.set(request.json.data.id as string, ids);
    }
    expect([...idsByProject.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(idsByProject.size).toBe(CHANGES);
    for (const request of receiver.requests.slice(0, unanswered)) {
      expect(idsByProject.get(request.json.data.id as string)).toEqual(
        new Set([request.headers["webhook-id"]]),
      );
    }
  });
});
