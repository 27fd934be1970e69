import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { connect } from "../src/platform/db/connection.js";
import { startEmbeddedPostgres } from "../src/platform/db/embedded-postgres.js";
import { migrateToLatest } from "../src/platform/db/migrate.js";
import { ensureDatabase } from "../src/platform/db/open.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the run's embedded cluster. */
    pgAdminUrl: string;
    /** A migrated database that each test file copies with CREATE DATABASE … TEMPLATE. */
    pgTemplate: string;
  }
}

export const TEMPLATE_DATABASE = "voltasis_template";

export default async function setup(project: TestProject) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-test-"));
  // As root the cluster runs as the postgres user: let it in, so the cluster stays in this
  // throw-away directory (mkdtemp makes it 0700; it is ours, not the user's, to open).
  await fs.chmod(dataDir, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir, log: () => {}, ephemeral: true });
  await ensureDatabase(cluster.adminUrl, TEMPLATE_DATABASE);
  const template = connect(cluster.urlFor(TEMPLATE_DATABASE), { max: 1 });
  await migrateToLatest(template.db);
  await template.close();
  project.provide("pgAdminUrl", cluster.adminUrl);
  project.provide("pgTemplate", TEMPLATE_DATABASE);
  return async () => {
    await cluster.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
    // Kept elsewhere when postgres still cannot enter (a TMPDIR inside a 0700 home).
    if (cluster.relocated) await fs.rm(cluster.clusterDir, { recursive: true, force: true });
  };
}
