import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runToExit, type ServerProcess, startServer } from "../helpers/server-process.js";

// SPEC §1 scale-out's database half: DATABASE_URL selects an external PostgreSQL. CI points
// TEST_DATABASE_URL at the machine's server; without it (a laptop) this file is skipped.
const adminUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!adminUrl)("with DATABASE_URL: an external PostgreSQL", () => {
  const name = `voltasis_ext_${randomBytes(5).toString("hex")}`;
  let databaseUrl: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    const admin = postgres(adminUrl as string, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(adminUrl as string);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  });

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    const admin = postgres(adminUrl as string, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it("migrates at start-up, serves the API, and names the server (never its password) in the banner", async () => {
    server = await startServer({ DATABASE_URL: databaseUrl });
    expect(server.output()).toContain("database: external (");
    const register = await fetch(`${server.baseUrl}/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: "ext@example.com",
        password: "correct horse battery",
        name: "Ext",
        organization_name: "Ext",
      }),
    });
    expect(register.status).toBe(201);
    const { data } = await register.json();
    const me = await fetch(`${server.baseUrl}/v1/auth/me`, {
      headers: { authorization: `Bearer ${data.access_token}` },
    });
    expect((await me.json()).data.organization.name).toBe("Ext");
    const ready = await fetch(`${server.baseUrl}/ready`);
    expect((await ready.json()).data.checks.database).toBe("ok");
  });

  it("SIGTERM leaves the external server alone and the data in place", async () => {
    server?.child.kill("SIGTERM");
    expect(await server?.exited).toBe(0);
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const rows = await sql`SELECT email FROM users`;
    await sql.end();
    expect(rows.map((r) => r.email)).toEqual(["ext@example.com"]);
  });

  it("`npm run migrate` against it finds nothing to apply and exits 0", async () => {
    const { code, output } = await runToExit({ DATABASE_URL: databaseUrl }, "src/platform/db/migrate-cli.ts");
    expect(output).toContain("Migrations applied to the external");
    expect(output).not.toMatch(/Error/);
    expect(code).toBe(0);
  });
});
