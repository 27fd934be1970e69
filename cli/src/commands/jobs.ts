/**
 * `voltasis export` and `voltasis import <file>`: time entries out to a file and in from one,
 * each through a job (docs/jobs.md) that the command follows to its end with a progress bar.
 */
import fs from "node:fs";
import type { Job, JobsCreateParams, Voltasis } from "@voltasis/sdk";
import { type Command, Option } from "commander";
import { CliError, UsageError } from "../errors.js";
import { yesNo } from "../format.js";
import { given, invocation } from "../invocation.js";
import type { Output } from "../output.js";
import { type Progress, progressBar } from "../progress.js";

const POLL_MS = 500;

type ImportResult = Extract<NonNullable<Job["result"]>, { rows_total: number }>;
type RowError = ImportResult["errors"][number];
type ImportParams = Extract<JobsCreateParams["params"], { csv: string }>;

/** Polls the job until it has succeeded or failed, moving the bar as it goes. */
async function finish(client: Voltasis, job: Job, progress: Progress): Promise<Job> {
  let current = job;
  try {
    while (current.status === "queued" || current.status === "running") {
      progress.update(current.progress, current.status);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      current = await client.jobs.retrieve(current.id);
    }
    progress.update(current.status === "succeeded" ? 100 : current.progress, current.status);
  } finally {
    progress.stop();
  }
  return current;
}

const failure = (job: Job) =>
  new CliError(`${job.error?.message ?? "The job failed"} (${job.error?.code ?? "failed"}, ${job.id})`);

async function download(client: Voltasis, job: Job): Promise<Uint8Array> {
  const response = await client.jobs.result(job.id);
  return new Uint8Array(await response.arrayBuffer());
}

interface ExportOptions {
  format: "csv" | "json";
  output?: string;
  from?: string;
  to?: string;
  project?: string;
  user?: string;
  json?: boolean;
}

async function exportEntries(command: Command): Promise<void> {
  const { options, output, session } = invocation<ExportOptions>(command);
  if (options.json && !options.output) {
    throw new UsageError("--json prints the finished job: give --output for the file");
  }
  const client = await session.client();
  const params = {
    format: options.format,
    ...given({ from: options.from, to: options.to, project_id: options.project, user_id: options.user }),
  };
  const started = await client.jobs.create({ type: "export.time_entries", params });
  const job = await finish(client, started, progressBar(output, "Exporting"));
  if (job.status !== "succeeded") throw failure(job);
  const file = await download(client, job);
  const rows = job.result && "rows_exported" in job.result ? job.result.rows_exported : 0;
  if (options.output) {
    fs.writeFileSync(options.output, file);
    output.success(`Exported ${rows} time entries to ${options.output}`);
  } else {
    output.raw(file);
  }
  if (options.json) output.data(job);
}

interface ImportOptions {
  source?: "voltasis" | "toggl" | "clockify" | "harvest";
  mode?: "all_or_nothing" | "valid_rows";
  dryRun?: boolean;
  timezone?: string;
  /** Passed on as given: the API knows the formats, and names them when it refuses one. */
  dateFormat?: string;
  unknownPeople?: "report" | "import_as_me";
}

function readCsv(file: string): string {
  try {
    return fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function printImport(output: Output, job: Job, result: ImportResult): void {
  const created = Object.entries(result.created)
    .map(([what, count]) => `${count} ${what}`)
    .join(", ");
  output.record(job, [
    ["job", job.id],
    ["status", job.status],
    ["source", result.source],
    ["dry run", yesNo(result.dry_run)],
    ["rows", result.rows_total],
    [result.dry_run ? "would import" : "imported", result.rows_imported],
    ["skipped (imported before)", result.rows_skipped],
    ["failed", result.rows_failed],
    [result.dry_run ? "would create" : "created", created],
    ["rates dropped", result.rates_dropped],
  ]);
}

async function importEntries(file: string, command: Command): Promise<void> {
  const { options, output, session } = invocation<ImportOptions>(command);
  const csv = readCsv(file);
  const client = await session.client();
  const params: JobsCreateParams["params"] = {
    csv,
    ...given({
      source: options.source,
      mode: options.mode,
      dry_run: options.dryRun,
      timezone: options.timezone,
      date_format: options.dateFormat as ImportParams["date_format"],
      unknown_people: options.unknownPeople,
    }),
  };
  const started = await client.jobs.create({ type: "import.time_entries", params });
  const job = await finish(client, started, progressBar(output, "Importing"));
  const result = job.result && "rows_total" in job.result ? job.result : undefined;
  if (!result) throw failure(job);
  printImport(output, job, result);
  if (!output.json && result.rows_failed > 0) {
    // The job shows the first 100 row errors; its report has every one.
    const errors =
      result.errors.length < result.rows_failed
        ? (JSON.parse(new TextDecoder().decode(await download(client, job))) as ImportResult).errors
        : result.errors;
    await output.list<RowError>(errors, [
      { header: "ROW", value: (e) => e.row },
      { header: "FIELD", value: (e) => e.field },
      { header: "REASON", value: (e) => e.reason },
      { header: "MESSAGE", value: (e) => e.message },
    ]);
  }
  if (job.status !== "succeeded") throw failure(job);
}

export function registerJobs(program: Command): void {
  program
    .command("export")
    .description("export time entries to a CSV or JSON file, through a job, with a progress bar")
    .addOption(new Option("--format <format>", "the file's format").choices(["csv", "json"]).default("csv"))
    .option("-o, --output <file>", "write the file here (default: stdout)")
    .option("--from <time>", "entries starting at or after this (RFC 3339)")
    .option("--to <time>", "entries starting before this (RFC 3339)")
    .option("--project <id>", "only this project's (prj_…)")
    .option("--user <id>", "only this user's (usr_…)")
    .action((_options, command: Command) => exportEntries(command));

  program
    .command("import")
    .description("import time entries from a CSV file (Voltasis, Toggl, Clockify or Harvest), through a job")
    .argument("<file>", "the CSV file; - reads stdin")
    .addOption(
      new Option("--source <product>", "whose export the file is (default voltasis)").choices([
        "voltasis",
        "toggl",
        "clockify",
        "harvest",
      ]),
    )
    .addOption(
      new Option("--mode <mode>", "all_or_nothing (default) or import the valid rows").choices([
        "all_or_nothing",
        "valid_rows",
      ]),
    )
    .option("--dry-run", "check every row and say what would be created, writing nothing")
    .option("--timezone <zone>", "the IANA zone of the file's local times (default: the organization's)")
    .option("--date-format <format>", "how the file writes dates, e.g. DD.MM.YYYY (default: detected)")
    .addOption(
      new Option(
        "--unknown-people <what>",
        "rows of non-members: report them, or import them as yours",
      ).choices(["report", "import_as_me"]),
    )
    .action((file: string, _options, command: Command) => importEntries(file, command));
}
