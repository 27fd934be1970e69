import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "./open.js";

/** `npm run migrate`: applies pending migrations (openDatabase migrates) and exits. */
try {
  const database = await openDatabase(loadConfig(), () => {});
  process.stdout.write(`Migrations applied to the ${database.description} database\n`);
  await database.close();
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? "" : "Migration failed: "}${(error as Error).message}\n`,
  );
  process.exitCode = 1;
}
