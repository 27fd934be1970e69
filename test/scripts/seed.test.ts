import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/platform/config.js";
import { connect, type DbHandle } from "../../src/platform/db/connection.js";
import { ensureDatabase } from "../../src/platform/db/open.js";
import { call } from "../helpers/fixtures.js";
import { login } from "../helpers/members.js";
import { runToExit } from "../helpers/server-process.js";

/** `npm run seed` as a user runs it (DATABASE_URL selects the database), then its output is used. */
const name = `t_seed_${randomBytes(6).toString("hex")}`;
const adminUrl = inject("pgAdminUrl");
const url = new URL(adminUrl);
url.pathname = `/${name}`;
let database: DbHandle;

beforeAll(async () => {
  await ensureDatabase(adminUrl, name, inject("pgTemplate"));
  database = connect(url.toString(), { max: 2 });
});
afterAll(async () => {
  await database.close();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

const count = async (
  table: "clients" | "projects" | "tasks" | "tags" | "memberships" | "time_entries",
  orgId: string,
) =>
  Number(
    (
      await database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("organization_id", "=", orgId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("npm run seed", () => {
  it("creates a demo organization with a year of time and prints credentials that work", async () => {
    const started = Date.now();
    const { code, output } = await runToExit(
      { DATABASE_URL: url.toString(), LOG_LEVEL: "silent" },
      "scripts/seed.ts",
    );
    expect(code, output).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const printed = (label: string) => new RegExp(`^${label}\\s+(\\S+)$`, "m").exec(output)?.[1] as string;
    const [orgId, email, password, apiKey] = ["Organization", "Login", "Password", "API key"].map(printed);
    expect(apiKey).toMatch(/^vlt_live_/);

    expect(await count("clients", orgId as string)).toBe(5);
    expect(await count("projects", orgId as string)).toBe(12);
    expect(await count("tasks", orgId as string)).toBe(60);
    expect(await count("tags", orgId as string)).toBe(8);
    expect(await count("memberships", orgId as string)).toBe(7);
    const entries = await count("time_entries", orgId as string);
    expect(entries).toBeGreaterThan(8_500);
    expect(entries).toBeLessThan(11_500);
    // Every rate follows entry > project > member > default, and no entry is running.
    const wrongRates = await database.db
      .selectFrom("time_entries as te")
      .innerJoin("memberships as m", (j) =>
        j.onRef("m.user_id", "=", "te.user_id").onRef("m.organization_id", "=", "te.organization_id"),
      )
      .innerJoin("organization_settings as s", "s.organization_id", "te.organization_id")
      .leftJoin("projects as p", "p.id", "te.project_id")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("te.organization_id", "=", orgId as string)
      .where((eb) =>
        eb.or([
          eb("te.end_at", "is", null),
          eb(
            eb.fn.coalesce("te.hourly_rate", "p.hourly_rate", "m.hourly_rate", "s.default_hourly_rate"),
            "<>",
            eb.ref("te.billable_rate"),
          ),
        ]),
      )
      .executeTakeFirstOrThrow();
    expect(Number(wrongRates.n)).toBe(0);

    // Building the app right after the seed's process may stall the event loop past the
    // load-shedding threshold on a busy machine; shedding is not what this test is about.
    const config = loadConfig({ LOG_LEVEL: "silent", VOLTASIS_MAX_EVENT_LOOP_DELAY_MS: "0" });
    const app = await buildApp({ config, database });
    try {
      const me = await call(app, apiKey as string, { method: "GET", url: "/v1/auth/me" });
      expect(me.statusCode, me.body).toBe(200);
      expect(me.json().data).toMatchObject({ email, role: "owner", organization: { id: orgId } });
      const year = await call(app, apiKey as string, {
        method: "GET",
        url: `/v1/reports/summary?from=${new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10)}&group_by=user`,
      });
      expect(year.statusCode, year.body).toBe(200);
      expect(year.json().data.totals.entries).toBe(entries);
      expect(year.json().data.groups).toHaveLength(7);
      const list = await call(app, apiKey as string, { method: "GET", url: "/v1/time-entries?per_page=5" });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json().data).toHaveLength(5);
      expect(list.json().pagination.total).toBe(entries);
      await login(app, email as string, password as string);
    } finally {
      await app.close();
    }
  });
});
