import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeArgumentsOf, scriptOf, startNodeArguments } from "../../scripts/start-command.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The pids below `pid`, depth first (npm runs a shell, which runs node). */
function descendants(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean);
  return children.map(Number).flatMap((child) => [child, ...descendants(child)]);
}

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);

describe("npm start", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-start-"));
    await fs.chmod(dataDir, 0o755);
  });
  afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

  it("serves the API from a Node process started with the heap flags (issue 15's memory goal)", async () => {
    const { DATABASE_URL: _external, REDIS_URL: _redis, ...env } = process.env;
    const npm = spawn("npm", ["start"], {
      cwd: ROOT,
      detached: true,
      env: { ...env, PORT: "0", VOLTASIS_DATA_DIR: dataDir, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    npm.stdout.on("data", (chunk) => {
      output += chunk;
    });
    npm.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise((resolve) => npm.on("exit", resolve));
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start did not start:\n${output}`)), 90_000);
        const poll = setInterval(() => {
          const match = /Voltasis API\s+(http:\/\/\S+)\/v1/.exec(output);
          if (!match?.[1]) return;
          clearInterval(poll);
          clearTimeout(timer);
          resolve(match[1]);
        }, 50);
      });
      expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
      const serving = descendants(npm.pid as number)
        .map(commandLine)
        .find((args) => args.at(-1) === "src/main.ts");
      expect(serving?.slice(1)).toEqual([...startNodeArguments(), "src/main.ts"]);
      expect(startNodeArguments()).toEqual(
        expect.arrayContaining(["--max-semi-space-size=4", "--heap-growing-percent=50"]),
      );
    } finally {
      // The whole group, as a terminal's Ctrl-C would, then wait for npm to go.
      process.kill(-(npm.pid as number), "SIGTERM");
      await exited;
    }
  }, 120_000);

  it("`npm run bench` runs under the same Node flags, so its figures are the deployed process's", () => {
    expect(nodeArgumentsOf(scriptOf("bench"), "bench/run.ts")).toEqual(startNodeArguments());
  });
});
