/**
 * The `voltasis` binary against a live server: signing in both ways, and each command group's
 * happy path, read back through --json (which must parse) and, for a person, as tables.
 */
import { statSync } from "node:fs";
import type { ApiKeyWithSecret, Delivery, Me, Project, Summary, TimeEntry, Webhook } from "@voltasis/sdk";
import { Voltasis } from "@voltasis/sdk";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Receiver, startReceiver } from "../helpers/webhook-receiver.js";
import { cliSuite, hasScript, loginWithPassword, newHome, voltasis } from "./harness.js";

/** Ada's account, and a home where she has logged in with her password. */
const t = cliSuite({ homeFor: "file", login: true });
const run = (args: string[], env?: Record<string, string>) => voltasis(t.home, args, { env });

const mode = (file: string) => statSync(file).mode & 0o777;

describe("login", () => {
  it("with e-mail and password: saves the session in a 0600 file of a 0700 directory", async () => {
    const fresh = newHome();
    try {
      const login = await loginWithPassword(fresh, t.server.baseUrl, t.ada);
      expect(login.stdout).toBe("");
      expect(login.stderr).toContain(`Logged in as ${t.ada.email}`);
      expect(mode(fresh.configDir)).toBe(0o700);
      expect(mode(fresh.configFile)).toBe(0o600);

      const whoami = await voltasis(fresh, ["whoami", "--json"]);
      expect(whoami.code).toBe(0);
      expect(whoami.json<Me>()).toMatchObject({
        email: t.ada.email,
        role: "owner",
        organization: { id: t.ada.orgId },
      });
      // In a pipe: one `field<TAB>value` line each.
      const plain = await voltasis(fresh, ["whoami"]);
      expect(plain.stdout).toContain(`email\t${t.ada.email}\n`);
      expect(plain.stdout).toContain("credential\tuser session");
    } finally {
      fresh.remove();
    }
  });

  it("with an API key, into a profile of its own; the default profile is left alone", async () => {
    const key = await t.ada.client.apiKeys.create({ name: "cli", scopes: ["read:projects"] });
    const login = await run([
      "login",
      "--profile",
      "ci",
      "--base-url",
      t.server.baseUrl,
      "--api-key",
      key.secret,
    ]);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain('saved to profile "ci"');

    const asKey = await run(["--profile", "ci", "whoami", "--json"]);
    expect(asKey.json<Me>().scopes).toEqual(["read:projects"]);
    expect((await run(["--profile", "ci", "whoami"])).stdout).toContain("credential\tAPI key\n");
    expect((await run(["whoami", "--json"])).json<Me>().scopes).toContain("write:projects");
  });
});

describe("projects", () => {
  it("create, get, update, list (all, or one page), delete", async () => {
    const created = await run(["projects", "create", "Website redesign", "--hourly-rate", "12000", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const project = created.json<Project>();
    expect(project).toMatchObject({ name: "Website redesign", hourly_rate: 12000, status: "active" });

    expect((await run(["projects", "get", project.id, "--json"])).json<Project>().id).toBe(project.id);
    const updated = await run([
      "projects",
      "update",
      project.id,
      "--name",
      "Relaunch",
      "--status",
      "archived",
    ]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain("name\tRelaunch\n");
    expect(updated.stdout).toContain("status\tarchived\n");

    await run(["projects", "create", "Mobile app"]);
    const all = (await run(["projects", "list", "--json"])).json<Project[]>();
    expect(all.map((p) => p.name).sort()).toEqual(["Mobile app", "Relaunch"]);
    expect((await run(["projects", "list", "--json", "--limit", "1"])).json<Project[]>()).toHaveLength(1);
    const archived = await run(["projects", "list", "--status", "archived"]);
    expect(archived.stdout).toBe(`${project.id}\tRelaunch\tarchived\tyes\t120.00 USD\t\n`);

    const deleted = await run(["projects", "delete", project.id]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe("");
    expect((await run(["projects", "get", project.id])).code).toBe(1);
  });

  it("prints a table for a person (VOLTASIS_FORCE_TTY), with no colours outside a terminal", async () => {
    const table = await run(["projects", "list"], { VOLTASIS_FORCE_TTY: "1" });
    const [header, row] = table.stdout.split("\n");
    expect(header).toMatch(/^ID {2,}NAME {2,}STATUS {2,}BILLABLE {2,}RATE\/H {2,}CLIENT$/);
    expect(row).toMatch(/^prj_\w{26} {2,}Mobile app {2,}active {2,}yes {2,}- {2,}-$/);
    expect(table.stdout).not.toContain("\x1b[");
  });

  it.skipIf(!hasScript)(
    "at a real terminal: bold headers and a red Error, none of it with NO_COLOR",
    async () => {
      await t.ada.client.projects.create({ name: "Coloured" });
      const colored = await voltasis(t.home, ["projects", "list"], { terminal: true });
      expect(colored.stdout).toContain("\x1b[1mID\x1b[22m");
      const error = await voltasis(t.home, ["projects", "get", "prj_nope"], { terminal: true });
      expect(error.stdout).toContain("\x1b[31mError:\x1b[39m");
      for (const args of [
        ["projects", "list"],
        ["projects", "get", "prj_nope"],
      ]) {
        const plain = await voltasis(t.home, args, { terminal: true, env: { NO_COLOR: "1" } });
        expect(plain.stdout).toMatch(/ID|Error:/);
        expect(plain.stdout).not.toContain("\x1b[");
      }
    },
  );
});

describe("timer and entries", () => {
  it("timer start, status (elapsed), stop; status with none running", async () => {
    const project = await t.ada.client.projects.create({ name: "Timed" });
    const start = await run([
      "timer",
      "start",
      "Writing",
      "the",
      "proposal",
      "--project",
      project.id,
      "--json",
    ]);
    expect(start.code, start.stderr).toBe(0);
    const timer = start.json<TimeEntry>();
    expect(timer).toMatchObject({
      description: "Writing the proposal",
      project_id: project.id,
      running: true,
    });

    const status = await run(["timer", "status"]);
    expect(status.stdout).toContain(`id\t${timer.id}\n`);
    expect(status.stdout).toMatch(/\nelapsed\t\d+:\d\d:\d\d\n/);

    const stop = await run(["timer", "stop", "--json"]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.json<TimeEntry>()).toMatchObject({ id: timer.id, running: false });
    expect(stop.stderr).toMatch(/Timer stopped after \d+:\d\d:\d\d/);

    const none = await run(["timer", "status"]);
    expect(none).toMatchObject({ code: 0, stdout: "", stderr: "No timer is running.\n" });
    expect((await run(["timer", "status", "--json"])).json()).toBeNull();
  });

  it("entries list: every page lazily as one array, filtered; one page with --limit", async () => {
    const project = await t.ada.client.projects.create({ name: "Many entries" });
    const base = Date.parse("2024-03-01T00:00:00Z");
    // 105 entries: more than one page of 100, the most the CLI asks for at once.
    for (let batch = 0; batch < 105; batch += 15) {
      await Promise.all(
        Array.from({ length: Math.min(15, 105 - batch) }, (_, i) =>
          t.ada.client.timeEntries.create({
            start: new Date(base + (batch + i) * 3_600_000).toISOString(),
            duration: 600,
            project_id: project.id,
            description: `entry ${batch + i}`,
          }),
        ),
      );
    }
    const list = await run(["entries", "list", "--project", project.id, "--json", "--verbose"]);
    expect(list.code, list.stderr).toBe(0);
    const entries = list.json<TimeEntry[]>();
    expect(entries).toHaveLength(105);
    expect(new Set(entries.map((e) => e.id)).size).toBe(105);
    expect(list.stderr.match(/^> GET \S+\/v1\/time-entries/gm)).toHaveLength(2);

    const window = await run([
      "entries",
      "list",
      "--project",
      project.id,
      "--from",
      "2024-03-01T10:00:00Z",
      "--to",
      "2024-03-01T13:00:00Z",
    ]);
    const lines = window.stdout.trim().split("\n");
    expect(lines.map((line) => line.split("\t")[5])).toEqual(["entry 12", "entry 11", "entry 10"]);
    expect(lines[0]).toMatch(/^te_\w{26}\t2024-03-01T12:00:00Z\t2024-03-01T12:10:00Z\t0:10:00\tprj_\w{26}\t/);

    const page = await run(["entries", "list", "--project", project.id, "--limit", "7", "--json"]);
    expect(page.json<TimeEntry[]>()).toHaveLength(7);
  });

  it("report summary by project and user, with the totals", async () => {
    const other = await t.ada.client.projects.create({ name: "Reported" });
    for (const hour of ["09", "11"]) {
      await t.ada.client.timeEntries.create({
        start: `2023-06-05T${hour}:00:00Z`,
        duration: 5400,
        project_id: other.id,
      });
    }
    const args = ["report", "summary", "--from", "2023-06-01", "--to", "2023-07-01"];
    const json = (await run([...args, "--group-by", "project,user", "--json"])).json<Summary>();
    expect(json.group_by).toEqual(["project", "user"]);
    expect(json.totals).toMatchObject({ seconds: 10800, entries: 2 });

    const plain = await run([...args, "--group-by", "project"]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(
      "Reported\t3:00:00\t3:00:00\t0.00 USD\t2\nTOTAL\t3:00:00\t3:00:00\t0.00 USD\t2\n",
    );
  });
});

describe("keys", () => {
  it("create shows the secret once with a warning; list, roll (a new secret), revoke", async () => {
    const created = await run([
      "keys",
      "create",
      "--name",
      "Deploy",
      "--scope",
      "read,write:projects",
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const key = created.json<ApiKeyWithSecret>();
    expect(key.secret).toMatch(/^vlt_live_/);
    expect(key.scopes).toEqual(["read", "write:projects"]);
    expect(created.stderr).toContain("Warning: This is the only time the API key's secret is shown");

    const listed = (await run(["keys", "list", "--json"])).json<ApiKeyWithSecret[]>();
    expect(listed.find((k) => k.id === key.id)).toMatchObject({ status: "active" });
    expect(listed.every((k) => !("secret" in k))).toBe(true);

    const rolled = await run(["keys", "roll", key.id]);
    expect(rolled.code, rolled.stderr).toBe(0);
    const secret = /^secret\t(\S+)$/m.exec(rolled.stdout)?.[1];
    expect(secret).toMatch(/^vlt_live_/);
    expect(secret).not.toBe(key.secret);
    expect(rolled.stderr).toContain("only time");
    expect((await new Voltasis({ apiKey: secret, baseURL: t.server.baseUrl }).auth.me()).email).toBe(
      t.ada.email,
    );

    const revoked = await run(["keys", "revoke", key.id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = (await run(["keys", "list", "--status", "revoked", "--json"])).json<ApiKeyWithSecret[]>();
    expect(after.map((k) => k.id)).toContain(key.id);
  });
});

describe("webhooks and deliveries", () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it("create (secret once), list, test, deliveries list and redeliver, rotate, delete", async () => {
    const created = await run([
      "webhooks",
      "create",
      "--url",
      receiver.url,
      "--event",
      "tag.created",
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const webhook = created.json<Webhook & { secret: string }>();
    expect(webhook.secret).toMatch(/^whsec_/);
    expect(created.stderr).toContain("only time the signing secret is shown");
    expect((await run(["webhooks", "list", "--json"])).json<Webhook[]>().map((w) => w.id)).toEqual([
      webhook.id,
    ]);

    const test = await run(["webhooks", "test", webhook.id, "--json"]);
    expect(test.code, test.stderr).toBe(0);
    const delivery = test.json<Delivery>();
    expect(delivery.event).toBe("webhook.test");
    await vi.waitFor(() => expect(receiver.requests.map((r) => r.json.event)).toContain("webhook.test"), {
      timeout: 20_000,
    });
    await vi.waitFor(
      async () => {
        const listed = (await run(["deliveries", "list", webhook.id, "--json"])).json<Delivery[]>();
        expect(listed.find((d) => d.id === delivery.id)?.status).toBe("succeeded");
      },
      { timeout: 20_000, interval: 500 },
    );

    const again = await run(["deliveries", "redeliver", webhook.id, delivery.id, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json<Delivery>()).toMatchObject({ webhook_id: webhook.id, event: "webhook.test" });
    expect(again.json<Delivery>().id).not.toBe(delivery.id);

    const rotated = await run(["webhooks", "rotate", webhook.id, "--json"]);
    expect(rotated.json<{ secret: string }>().secret).not.toBe(webhook.secret);

    expect((await run(["webhooks", "delete", webhook.id])).code).toBe(0);
    expect((await run(["webhooks", "list", "--json"])).json()).toEqual([]);
  });
});
