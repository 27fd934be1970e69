/**
 * docs/cli.md runs, so it cannot rot. The convention its examples follow (the guide says so too):
 *
 * - Every ```console block is a terminal session. A line starting with `$ ` is a command; lines
 *   starting with `> ` continue it (a here-document); the other lines, up to the next command, are
 *   what it prints, stdout and stderr together as a terminal shows them.
 * - The blocks run in order in one bash session (so variables and files carry over from block to
 *   block) in an empty directory, against a fresh server where ada@example.com ("correct horse
 *   battery staple", owner of "Acme Studio") is registered, with `voltasis` on the PATH,
 *   VOLTASIS_BASE_URL set, a fresh XDG_CONFIG_HOME, NO_COLOR, and VOLTASIS_FORCE_TTY so that the
 *   output is the tables a person sees.
 * - Printed lines must match one for one. In the guide, `…` stands for any text (times, secrets,
 *   the server's address) and the spaces after it for any number of spaces (so that a table stays
 *   aligned around it), and an id (`prj_` and 26 characters) for any id of its kind.
 * - A command must exit 0, unless what it prints has a line starting `Error:` (then 1) or
 *   `error:` (a usage error: 2).
 * - ```sh blocks are not run (what needs a terminal or a placeholder); ```text blocks illustrate.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Voltasis } from "@voltasis/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliServer, PASSWORD, ROOT, startCliServer } from "./harness.js";

const GUIDE = "docs/cli.md";

interface Step {
  /** The command as typed, continuation lines included. */
  command: string;
  expected: string[];
  /** 1-based line of the `$ ` line in the guide. */
  line: number;
}

function steps(text: string): Step[] {
  const lines = text.split("\n");
  const found: Step[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```console\s*$/.test(lines[i] as string)) continue;
    let step: Step | undefined;
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] as string); i++) {
      const line = lines[i] as string;
      if (line.startsWith("$ ")) {
        step = { command: line.slice(2), expected: [], line: i + 1 };
        found.push(step);
      } else if (line.startsWith("> ") && step && step.expected.length === 0) {
        step.command += `\n${line.slice(2)}`;
      } else if (step) {
        step.expected.push(line);
      } else {
        throw new Error(`${GUIDE}:${i + 1}: output before any command`);
      }
    }
  }
  return found;
}

const ID = /\b([a-z]{2,4})_[0-9A-HJKMNP-TV-Z]{26}\b/g;

/** A printed line as the guide shows it, as a pattern: `…` is any text, an id any id of its kind. */
function pattern(expected: string): RegExp {
  const escaped = expected
    .trimEnd()
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/… +/g, ".* +")
    .replace(/…/g, ".*")
    .replace(ID, "$1_[0-9A-HJKMNP-TV-Z]{26}");
  return new RegExp(`^${escaped}$`);
}

const expectedExit = (expected: string[]) =>
  expected.some((l) => l.startsWith("Error:")) ? 1 : expected.some((l) => l.startsWith("error:")) ? 2 : 0;

interface Outcome {
  output: string;
  code: number;
}

/** Runs every step in one bash session; each step's output and exit code go to files of its own. */
async function runGuide(all: Step[], env: Record<string, string>, work: string): Promise<Outcome[]> {
  const trace = path.join(work, ".trace");
  const script = [
    `mkdir -p "${trace}"`,
    ...all.map(
      (step, i) => `{ ${step.command}\n} > "${trace}/${i}.out" 2>&1; echo $? > "${trace}/${i}.code"`,
    ),
  ].join("\n");
  await new Promise<void>((resolve, reject) => {
    const child = spawn("bash", ["-u", "-c", script], { cwd: work, env, stdio: "ignore", timeout: 240_000 });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
  return all.map((_, i) => {
    const read = (ext: string) => {
      try {
        return readFileSync(path.join(trace, `${i}.${ext}`), "utf8");
      } catch {
        return "";
      }
    };
    return { output: read("out"), code: Number(read("code").trim() || -1) };
  });
}

const guide = steps(readFileSync(path.join(ROOT, GUIDE), "utf8"));
let server: CliServer;
let work: string;
let outcomes: Outcome[];

beforeAll(async () => {
  server = await startCliServer();
  await new Voltasis({ apiKey: null, baseURL: server.baseUrl }).auth.register({
    email: "ada@example.com",
    password: PASSWORD,
    name: "Ada Lovelace",
    organization_name: "Acme Studio",
  });
  work = mkdtempSync(path.join(os.tmpdir(), "voltasis-cli-docs-"));
  outcomes = await runGuide(
    guide,
    {
      PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: work,
      XDG_CONFIG_HOME: path.join(work, ".config"),
      VOLTASIS_BASE_URL: server.baseUrl,
      VOLTASIS_FORCE_TTY: "1",
      NO_COLOR: "1",
      LANG: "C.UTF-8",
    },
    work,
  );
}, 300_000);
afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  await server?.stop();
});

describe(`${GUIDE} runs`, () => {
  it("has examples", () => {
    expect(guide.length).toBeGreaterThan(20);
  });

  it.each(guide.map((step, i) => [`line ${step.line}: $ ${step.command.split("\n")[0]}`, i] as const))(
    "%s",
    (_, i) => {
      const step = guide[i] as Step;
      const { output, code } = outcomes[i] as Outcome;
      const actual = output.replace(/\n$/, "").split("\n");
      const shown = `${GUIDE}:${step.line}\n$ ${step.command}\n--- printed ---\n${output}`;
      expect(code, `exit code: ${shown}`).toBe(expectedExit(step.expected));
      const lines = output === "" ? [] : actual.map((l) => l.trimEnd());
      expect(lines.length, `line count: ${shown}`).toBe(step.expected.length);
      step.expected.forEach((expected, n) => {
        expect(lines[n], `line ${n + 1}: ${shown}`).toMatch(pattern(expected));
      });
    },
  );
});
