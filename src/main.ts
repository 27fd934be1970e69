import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./platform/config.js";
import { guardAgainstClosedSocketWrites } from "./platform/db/driver-guard.js";
import { openDatabase } from "./platform/db/open.js";

const DRAIN_GRACE_MS = 1_000;
const DRAIN_LIMIT_MS = 25_000;
const DATABASE_GONE_LIMIT_MS = 3_000;

/** Process entry: config, database, app, listen; on SIGTERM drain in-flight requests, then stop. */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, () => {});
  let draining = false;
  const app = await buildApp({ config, database: database.handle, isDraining: () => draining });

  let stopping = false;
  guardAgainstClosedSocketWrites(app.log, () => stopping);
  const stop = async (signal: string) => {
    if (stopping) {
      app.log.warn({ signal }, "second signal: exiting without draining");
      process.exit(1);
    }
    stopping = true;
    draining = true;
    app.log.info({ signal }, "draining in-flight requests");
    // Keep accepting for a moment: a load balancer sees /ready turn 503 and stops routing here,
    // and connections a client already opened are served (answered with Connection: close).
    // Only then stop listening; Node closes idle keep-alive connections as it does.
    await new Promise((resolve) => setTimeout(resolve, DRAIN_GRACE_MS));
    const forceClose = setTimeout(() => app.server.closeAllConnections(), DRAIN_LIMIT_MS);
    try {
      // When PostgreSQL went away first (Ctrl-C in a terminal reaches it too), no flush can succeed,
      // and postgres.js can leave a query that never settles: waiting on it would hold the exit
      // forever. Everything is written in transactions, so stopping then loses nothing committed.
      const limitMs = (await database.handle.ping(1_000)) ? DRAIN_LIMIT_MS + 2_000 : DATABASE_GONE_LIMIT_MS;
      const closed = await Promise.race([
        app.close().then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), limitMs).unref()),
      ]);
      if (!closed) app.log.warn(`the app did not close within ${limitMs / 1000} s; stopping anyway`);
      clearTimeout(forceClose);
      await database.close();
      app.log.info("stopped cleanly");
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, "error while stopping");
      process.exit(1);
    }
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void stop(signal));

  await app.listen({ port: config.port, host: config.host });
  const base = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${(app.server.address() as { port: number }).port}`;
  const banner = [
    "",
    `Voltasis API  ${base}/v1   (database: ${database.description})`,
    `API reference ${base}/docs`,
    `Web console   ${base}/   (sign up there, or with the command below)`,
    ...(database.notice ? [database.notice] : []),
    "",
    "Create the first account:",
    `  curl -X POST ${base}/v1/auth/register -H "Content-Type: application/json" \\`,
    `    -d '{"email":"you@example.com","password":"choose-a-password","name":"Your Name","organization_name":"Your Org"}'`,
    "",
  ];
  process.stdout.write(`${banner.join("\n")}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `Voltasis failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  process.exit(1);
});
