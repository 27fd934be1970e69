import type { FastifyBaseLogger } from "fastify";
import type { Notifications } from "../db/connection.js";

/** One kind of background work: webhook deliveries, jobs, retention pruning. */
export interface BackgroundTask {
  name: string;
  /** Does one round of due work and says how much it handled; 0 means nothing was due. */
  runOnce(): Promise<number>;
  /** A PostgreSQL NOTIFY channel that wakes this task at once, from any process. */
  channel?: string;
  /** How long to sleep when idle before looking again (work that became due by the clock). */
  idleMs: number;
}

export interface Background {
  /** Features register their tasks while the app is built; they start when it is ready. */
  register(task: BackgroundTask): void;
  /** Wakes a task in this process now (work it just queued itself). */
  wake(name: string): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Loop {
  task: BackgroundTask;
  wake(): void;
  done: Promise<void>;
}

const ERROR_BACKOFF_MS = 1_000;
const LISTEN_RETRY_MS = 5_000;
const UNLISTEN_LIMIT_MS = 1_000;

/**
 * Runs each task in a loop: work while there is work, then sleep until woken or idleMs passes.
 * Each loop runs one round at a time, so a task never races itself inside one process; tasks
 * that several processes run claim their rows with FOR UPDATE SKIP LOCKED.
 */
export function createBackground(deps: {
  notifications: Notifications;
  log: Pick<FastifyBaseLogger, "error" | "warn">;
  enabled: boolean;
}): Background {
  const tasks: BackgroundTask[] = [];
  const loops = new Map<string, Loop>();
  const unlisten: Array<() => Promise<void>> = [];
  const subscriptions: Array<Promise<void>> = [];
  let running = false;
  let signalStopped: () => void = () => {};
  let stopped: Promise<void> = Promise.resolve();

  /**
   * LISTENs for the task's channel. If the database cannot be reached now, the loop still polls
   * every idleMs, and listening is tried again until it works: a process started while PostgreSQL
   * is down serves its 503s and catches up, instead of failing to start.
   */
  async function subscribe(channel: string, loop: Loop) {
    while (running) {
      try {
        const stop = await deps.notifications.listen(channel, () => loop.wake());
        if (running) unlisten.push(stop);
        else await stop();
        return;
      } catch (error) {
        deps.log.warn({ err: error, channel }, "cannot listen for notifications yet; polling meanwhile");
        await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, LISTEN_RETRY_MS).unref())]);
      }
    }
  }

  function startLoop(task: BackgroundTask): Loop {
    let wakeUp: (() => void) | null = null;
    let woken = false;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (woken || !running) return resolve();
        const timer = setTimeout(resolve, ms);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const loop = async () => {
      while (running) {
        woken = false;
        let handled = 0;
        try {
          handled = await task.runOnce();
        } catch (error) {
          if (!running) break;
          deps.log.error({ err: error, task: task.name }, "background task failed; retrying");
          await sleep(ERROR_BACKOFF_MS);
          continue;
        }
        if (handled === 0) await sleep(task.idleMs);
        wakeUp = null;
      }
    };
    return {
      task,
      wake() {
        woken = true;
        wakeUp?.();
      },
      done: loop(),
    };
  }

  return {
    register(task) {
      tasks.push(task);
    },
    wake(name) {
      loops.get(name)?.wake();
    },
    async start() {
      if (!deps.enabled || running) return;
      running = true;
      stopped = new Promise((resolve) => {
        signalStopped = resolve;
      });
      for (const task of tasks) {
        const loop = startLoop(task);
        loops.set(task.name, loop);
        if (task.channel) subscriptions.push(subscribe(task.channel, loop));
      }
    },
    async stop() {
      if (!running) return;
      running = false;
      signalStopped();
      for (const loop of loops.values()) loop.wake();
      await Promise.all([...loops.values()].map((loop) => loop.done));
      await Promise.all(subscriptions.splice(0));
      // The database may be gone already (a terminal's Ctrl-C reaches PostgreSQL too): UNLISTEN
      // then fails, or waits for a reconnection that never comes. Stopping must not wait on it;
      // closing the pool ends the listening connection anyway.
      const unlistened = Promise.all(unlisten.map((fn) => fn().catch(() => {})));
      await Promise.race([
        unlistened,
        new Promise((resolve) => setTimeout(resolve, UNLISTEN_LIMIT_MS).unref()),
      ]);
      loops.clear();
      unlisten.length = 0;
    },
  };
}
