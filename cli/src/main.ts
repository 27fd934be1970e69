/**
 * The `voltasis` command: commander parses, a command group's action runs on the SDK, and
 * whatever fails ends here as one message on stderr and an exit code (1: refused, 2: usage).
 */
import fs from "node:fs";
import { DEFAULT_BASE_URL } from "@voltasis/sdk";
import { Command } from "commander";
import { registerAuth } from "./commands/auth.js";
import { registerJobs } from "./commands/jobs.js";
import { registerKeys } from "./commands/keys.js";
import { registerProjects } from "./commands/projects.js";
import { registerTime } from "./commands/time.js";
import { registerWebhooks } from "./commands/webhooks.js";
import { describeError } from "./errors.js";
import { Output } from "./output.js";
import { type GlobalOptions, Session } from "./session.js";

const { version } = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command("voltasis")
    .description("The Voltasis API from the command line: time tracking, projects, keys, webhooks, jobs.")
    .version(version)
    .option("--profile <name>", "the saved login to use", process.env.VOLTASIS_PROFILE || "default")
    .option(
      "--base-url <url>",
      "the server (default: the profile's, VOLTASIS_BASE_URL, http://127.0.0.1:3000)",
    )
    .option("--org <id>", "act in another organization you are a member of (X-Organization-ID)")
    .option("--json", "print the API's data as JSON, and nothing else on stdout")
    .option("-v, --verbose", "log each request (method, URL, status, request id) to stderr")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(run with --help for usage)")
    // Usage errors exit 2 instead of commander's 1, so that scripts can tell them from refusals;
    // subcommands inherit this (and the help settings) as they are created below.
    .exitOverride();
  registerAuth(program);
  registerKeys(program);
  registerProjects(program);
  registerTime(program);
  registerWebhooks(program);
  registerJobs(program);
  return program;
}

/** Runs the command line; resolves to the process's exit code. */
export async function main(argv: string[]): Promise<number> {
  // `voltasis entries list | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    const options = program.opts<GlobalOptions>();
    const output = new Output({ json: Boolean(options.json) });
    const report = describeError(error, {
      baseURL: new Session(options, output).baseURL ?? DEFAULT_BASE_URL,
    });
    output.error(report.lines);
    if (options.verbose && report.unexpected && error instanceof Error) output.info(error.stack ?? "");
    return report.exitCode;
  }
}
