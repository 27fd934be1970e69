import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { ensureDatabase } from "../../src/platform/db/open.js";
import { startServer } from "./server-process.js";

/**
 * A real server process (as `npm start` runs it) on a database of its own, copied from the test
 * run's migrated template and dropped by `stop()`.
 */
export async function startServerOnFreshDatabase(
  prefix: string,
  env: Record<string, string>,
): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const adminUrl = inject("pgAdminUrl");
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await ensureDatabase(adminUrl, name, inject("pgTemplate"));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const server = await startServer({ DATABASE_URL: url.toString(), ...env });
  return {
    baseUrl: server.baseUrl,
    async stop() {
      server.child.kill("SIGTERM");
      await server.exited;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}
