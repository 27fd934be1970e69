/** `voltasis timer start|stop|status`, `entries list` and `report summary`: the time itself. */
import type { Summary, TimeEntry } from "@voltasis/sdk";
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { formatDuration, formatMoney, truncate, yesNo } from "../format.js";
import { collect, given, invocation, positiveInteger, printList } from "../invocation.js";
import type { Column, Output } from "../output.js";

const ENTRY_COLUMNS: Column<TimeEntry>[] = [
  { header: "ID", value: (e) => e.id },
  { header: "START", value: (e) => e.start },
  { header: "END", value: (e) => (e.running ? "running" : e.end) },
  { header: "DURATION", value: (e) => formatDuration(e.duration) },
  { header: "PROJECT", value: (e) => e.project_id },
  { header: "DESCRIPTION", value: (e) => truncate(e.description) },
  { header: "BILLABLE", value: (e) => yesNo(e.billable) },
];

function printEntry(output: Output, entry: TimeEntry): void {
  output.record(entry, [
    ["id", entry.id],
    ["description", entry.description],
    ["project", entry.project_id],
    ["task", entry.task_id],
    ["tags", entry.tag_ids.join(", ")],
    ["start", entry.start],
    ["end", entry.running ? "running" : entry.end],
    [entry.running ? "elapsed" : "duration", formatDuration(entry.duration)],
    ["billable", yesNo(entry.billable)],
    ["amount", formatMoney(entry.billable_amount, entry.currency)],
  ]);
}

function registerTimer(program: Command): void {
  const timer = program.command("timer").description("your running timer: start, stop, status");

  timer
    .command("start")
    .description("start a timer (one runs at a time)")
    .argument("[description...]", "what you are working on")
    .option("--project <id>", "the project (prj_…)")
    .option("--task <id>", "the task (tsk_…); its project if --project is not given")
    .option("--tag <id>", "a tag (tag_…); repeat or separate with commas", collect)
    .option("--billable", "bill this time")
    .option("--no-billable", "do not bill this time")
    .action(async (words: string[], _options, command: Command) => {
      const { options, output, session } = invocation<{
        project?: string;
        task?: string;
        tag?: string[];
        billable?: boolean;
      }>(command);
      const entry = await (await session.client()).timeEntries.start({
        ...given({
          description: words.length > 0 ? words.join(" ") : undefined,
          project_id: options.project,
          task_id: options.task,
          tag_ids: options.tag,
          billable: options.billable,
        }),
      });
      output.success(`Timer started at ${entry.start}`);
      printEntry(output, entry);
    });

  timer
    .command("stop")
    .description("stop the running timer")
    .action(async (_options, command: Command) => {
      const { output, session } = invocation(command);
      const client = await session.client();
      const running = await client.timeEntries.current();
      if (!running) throw new CliError("No timer is running", "Start one with `voltasis timer start`.");
      const entry = await client.timeEntries.stop(running.id);
      output.success(`Timer stopped after ${formatDuration(entry.duration)}`);
      printEntry(output, entry);
    });

  timer
    .command("status")
    .description("the running timer and the time elapsed, if one runs")
    .action(async (_options, command: Command) => {
      const { output, session } = invocation(command);
      const running = await (await session.client()).timeEntries.current();
      if (running) return printEntry(output, running);
      if (output.json) output.data(null);
      else output.info("No timer is running.");
    });
}

function registerEntries(program: Command): void {
  const entries = program.command("entries").description("time entries");

  entries
    .command("list")
    .description("time entries, newest start first (members: their own)")
    .option("--from <time>", "entries starting at or after this (RFC 3339)")
    .option("--to <time>", "entries starting before this (RFC 3339)")
    .option("--project <id>", "only this project's (prj_…)")
    .option("--user <id>", "only this user's (usr_…)")
    .option("--limit <n>", "one page of at most n entries (default: all)", positiveInteger)
    .action(async (_options, command: Command) => {
      const { options, output, session } = invocation<{
        from?: string;
        to?: string;
        project?: string;
        user?: string;
        limit?: number;
      }>(command);
      const client = await session.client();
      const filters = given({
        from: options.from,
        to: options.to,
        project_id: options.project,
        user_id: options.user,
      });
      await printList(output, (p) => client.timeEntries.list(p), filters, options.limit, ENTRY_COLUMNS);
    });
}

type Group = Summary["groups"][number];
type Grouping = Summary["group_by"][number];

/** A group's name in one grouping: the resource's name where it has one, else its key. */
function groupLabel(group: Group, by: Grouping): string {
  const labels = group.labels as Record<string, string | null | undefined>;
  const key = group.key as Record<string, string | null | undefined>;
  const label = labels[by] ?? key[by] ?? key[`${by}_id`];
  return label ?? `(no ${by})`;
}

function registerReport(program: Command): void {
  const report = program.command("report").description("reports");

  report
    .command("summary")
    .description("time and money per project, client, task, tag, user, day, week or month")
    .option(
      "--group-by <fields>",
      "one or two of project, client, task, tag, user, day, week, month",
      "project",
    )
    .option("--from <date>", "from this day or instant (default: start of this month)")
    .option("--to <date>", "until this day or instant, exclusive (default: start of next month)")
    .option("--project <id>", "only this project's time")
    .option("--user <id>", "only this user's time")
    .option("--client <id>", "only time on this client's projects")
    .action(async (_options, command: Command) => {
      const { options, output, session } = invocation<{
        groupBy: string;
        from?: string;
        to?: string;
        project?: string;
        user?: string;
        client?: string;
      }>(command);
      const summary = await (await session.client()).reports.summary(
        given({
          group_by: options.groupBy,
          from: options.from,
          to: options.to,
          project_id: options.project,
          user_id: options.user,
          client_id: options.client,
        }),
      );
      if (output.json) return output.data(summary);
      const money = (minor: number) => formatMoney(minor, summary.currency);
      const rows = [
        ...summary.groups.map((g) => ({ names: summary.group_by.map((by) => groupLabel(g, by)), ...g })),
        { names: ["TOTAL", ...summary.group_by.slice(1).map(() => "")], ...summary.totals },
      ];
      type Row = (typeof rows)[number];
      await output.list(rows, [
        ...summary.group_by.map(
          (by, i): Column<Row> => ({ header: by.toUpperCase(), value: (r) => r.names[i] }),
        ),
        { header: "TIME", value: (r) => formatDuration(r.seconds) },
        { header: "BILLABLE TIME", value: (r) => formatDuration(r.billable_seconds) },
        { header: "AMOUNT", value: (r) => money(r.billable_amount) },
        { header: "ENTRIES", value: (r) => r.entries },
      ]);
      output.info(`${summary.from} to ${summary.to} (${summary.timezone})`);
    });
}

export function registerTime(program: Command): void {
  registerTimer(program);
  registerEntries(program);
  registerReport(program);
}
