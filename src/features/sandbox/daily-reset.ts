import type { BackgroundTask } from "../../platform/background/runner.js";
import type { WorkerDeps } from "../../platform/feature.js";
import { createSandboxService, type SandboxService } from "./service.js";

export const DAILY_RESET_TASK = "sandbox-daily-reset";
/** Looks for twins due this often: a reset starts within a minute of 00:00 UTC. */
const IDLE_MS = 60_000;

/**
 * SPEC §8's daily reset at 00:00 UTC. Each twin remembers its last reset; any process claims a
 * twin whose reset is older than the last midnight (FOR UPDATE SKIP LOCKED, as the queues and
 * retention's `scheduled_runs` claim do) and resets it in the same transaction, so each twin is
 * reset once a day whichever processes run, and a process that dies mid-reset leaves the twin due
 * for the next one instead of half done.
 */
export function createDailyReset(sandboxes: Pick<SandboxService, "resetOneDue">) {
  const task: BackgroundTask = {
    name: DAILY_RESET_TASK,
    idleMs: IDLE_MS,
    // One twin per round; the runner comes straight back while there are more.
    runOnce: async () => ((await sandboxes.resetOneDue()) ? 1 : 0),
  };
  return { task };
}

/** Once per process (app.ts): any process may reset any due twin, each claimed by one. */
export function registerSandboxReset(deps: WorkerDeps): void {
  deps.background.register(createDailyReset(createSandboxService(deps)).task);
}
