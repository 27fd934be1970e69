import fs from "node:fs/promises";
import { type Bench, createTeardown, type Row, readSettings, setUp, withDeadline } from "./harness.js";

type Scenario = { run(bench: Bench): Promise<Row | Row[]> };

const SETUP_LIMIT_S = 180;

/** Sets up once, runs every `scenarios/*.ts` in name order, prints the table; exits 0 below the goal too. */
async function main(): Promise<void> {
  const dir = new URL("./scenarios/", import.meta.url);
  // BENCH_ONLY=auth-me,rate-limit runs just those scenarios.
  const only = process.env.BENCH_ONLY?.split(",").map((name) => `${name.trim()}.ts`);
  const files = (await fs.readdir(dir))
    .filter((f) => f.endsWith(".ts") && (!only || only.includes(f)))
    .sort();
  const teardown = createTeardown();
  // Ctrl-C, or a crash inside a driver callback (postgres.js throws from a timer when the server
  // goes away), would otherwise leave the cluster and its temp dir behind.
  let interrupted = false;
  const abort = (reason: string) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`bench stopped: ${reason}\n`);
    void teardown.run().finally(() => process.exit(1));
  };
  process.on("SIGINT", () => abort("SIGINT"));
  process.on("SIGTERM", () => abort("SIGTERM"));
  process.on("uncaughtException", (error) => abort(error.stack ?? error.message));

  let failed = false;
  const rows: Row[] = [];
  try {
    const settings = readSettings();
    process.stderr.write(
      `${settings.connections} connections, ${settings.warmupSeconds} s warm-up, ` +
        `${settings.durationSeconds} s measured per run\n`,
    );
    const bench = await withDeadline(setUp(teardown), SETUP_LIMIT_S, "setup");
    for (const file of files) {
      process.stderr.write(`${file}\n`);
      const scenario = (await import(new URL(file, dir).href)) as Scenario;
      rows.push(...[await scenario.run(bench)].flat());
    }
  } catch (error) {
    failed = true;
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await teardown.run();
  }
  if (rows.length > 0) process.stdout.write(`\n${formatTable(rows)}\n`);
  // Explicit: a stray autocannon worker or socket must not keep the process alive.
  process.exit(failed ? 1 : 0);
}

function formatTable(rows: Row[]): string {
  const count = (n: number) => Math.round(n).toLocaleString("en-US");
  const header = [
    "scenario",
    "real req/s",
    "real p50",
    "real p99",
    "floor req/s",
    "floor p50",
    "floor p99",
    "ratio",
    "goal",
  ];
  const quick = readSettings().quick;
  const goal = (r: Row) => {
    if (r.skipped) return `SKIPPED: ${r.skipped}`;
    if (quick) return "not judged (--quick)";
    if (r.memory) {
      const { firstMb, secondMb, maxMb, maxGrowth } = r.memory;
      const met = firstMb < maxMb && secondMb < firstMb * (1 + maxGrowth);
      return `< ${maxMb} MB, then < +${maxGrowth * 100} % ${met ? "PASS" : "BELOW GOAL"}`;
    }
    if (r.maxP50Ms !== undefined) {
      return `p50 < ${r.maxP50Ms} ms ${r.real.p50Ms < r.maxP50Ms ? "PASS" : "BELOW GOAL"}`;
    }
    return `>= ${r.goal.toFixed(2)} ${r.ratio >= r.goal ? "PASS" : "BELOW GOAL"}`;
  };
  const lines = rows.map((r) =>
    r.skipped || r.memory
      ? [r.scenario, "-", "-", "-", "-", "-", "-", "-", goal(r)]
      : [
          r.scenario,
          count(r.real.requestsPerSecond),
          `${r.real.p50Ms} ms`,
          `${r.real.p99Ms} ms`,
          count(r.floor.requestsPerSecond),
          `${r.floor.p50Ms} ms`,
          `${r.floor.p99Ms} ms`,
          r.ratio.toFixed(2),
          goal(r),
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  // The scenario and goal columns read left to right; the figures line up on the right.
  const pad = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [pad(header), ...lines.map(pad)].join("\n");
}

await main();
