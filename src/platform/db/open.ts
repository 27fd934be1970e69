import path from "node:path";
import postgres from "postgres";
import type { Config } from "../config.js";
import { connect, type DbHandle } from "./connection.js";
import { startEmbeddedPostgres } from "./embedded-postgres.js";
import { migrateToLatest } from "./migrate.js";

export interface OpenDatabase {
  handle: DbHandle;
  /** "embedded (<dir>)" or the external host, for the start-up banner; never the password. */
  description: string;
  /** Something the start-up banner must tell the user, e.g. where the cluster had to go. */
  notice?: string;
  /** Closes the pool, then stops the embedded cluster if there is one. */
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = "voltasis";

/** SPEC §1: `DATABASE_URL` selects an external server, otherwise the embedded cluster. Migrates. */
export async function openDatabase(config: Config, log: (message: string) => void): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const handle = connect(config.databaseUrl);
    await migrateToLatest(handle.db);
    const url = new URL(config.databaseUrl);
    return { handle, description: `external (${url.host}${url.pathname})`, close: () => handle.close() };
  }
  const cluster = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
  try {
    await ensureDatabase(cluster.adminUrl, EMBEDDED_DATABASE);
    const handle = connect(cluster.urlFor(EMBEDDED_DATABASE));
    await migrateToLatest(handle.db);
    return {
      handle,
      description: `embedded (${config.dataDir})`,
      ...(cluster.relocated && {
        notice: `PostgreSQL runs as the postgres user, who cannot enter ${config.dataDir}: its cluster is in ${cluster.clusterDir} (${path.join(config.dataDir, "pg")} links to it)`,
      }),
      async close() {
        await handle.close();
        await cluster.stop();
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!row) {
      await admin.unsafe(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
    }
  } finally {
    await admin.end();
  }
}
