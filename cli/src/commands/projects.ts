/** `voltasis projects list|create|get|update|delete`. */
import type { Project, ProjectsUpdateParams } from "@voltasis/sdk";
import { type Command, Option } from "commander";
import { formatMoney, yesNo } from "../format.js";
import { decimal, given, invocation, nonNegativeInteger, positiveInteger, printList } from "../invocation.js";
import type { Column, Output } from "../output.js";

const COLUMNS: Column<Project>[] = [
  { header: "ID", value: (p) => p.id },
  { header: "NAME", value: (p) => p.name },
  { header: "STATUS", value: (p) => p.status },
  { header: "BILLABLE", value: (p) => yesNo(p.billable) },
  { header: "RATE/H", value: (p) => formatMoney(p.hourly_rate, p.currency) },
  { header: "CLIENT", value: (p) => p.client_id },
];

function printProject(output: Output, project: Project): void {
  output.record(project, [
    ["id", project.id],
    ["name", project.name],
    ["description", project.description],
    ["status", project.status],
    ["client", project.client_id],
    ["billable", yesNo(project.billable)],
    ["hourly rate", formatMoney(project.hourly_rate, project.currency)],
    ["color", project.color],
    ["budget hours", project.budget_hours],
    ["created", project.created_at],
    ["updated", project.updated_at],
  ]);
}

interface FieldOptions {
  name?: string;
  description?: string;
  client?: string;
  billable?: boolean;
  hourlyRate?: number;
  color?: string;
  budgetHours?: number;
  status?: "active" | "archived";
}

/** The options that set a project's fields, shared by create and update. */
function withFieldOptions(command: Command): Command {
  return command
    .option("--description <text>", "free text")
    .option("--client <id>", "the client it is for (cli_…)")
    .option("--billable", "time on it is billable by default")
    .option("--no-billable", "time on it is not billable by default")
    .option(
      "--hourly-rate <cents>",
      "rate in cents per hour, in the organization's currency",
      nonNegativeInteger,
    )
    .option("--color <#rrggbb>", "its colour")
    .option("--budget-hours <hours>", "planned hours", decimal)
    .addOption(
      new Option("--status <status>", "active, or archived (takes no new time)").choices([
        "active",
        "archived",
      ]),
    );
}

const fieldsOf = (options: FieldOptions): ProjectsUpdateParams =>
  given({
    name: options.name,
    description: options.description,
    client_id: options.client,
    billable: options.billable,
    hourly_rate: options.hourlyRate,
    color: options.color,
    budget_hours: options.budgetHours,
    status: options.status,
  });

export function registerProjects(program: Command): void {
  const projects = program.command("projects").description("projects: list, create, get, update, delete");

  projects
    .command("list")
    .description("the organization's projects, newest first")
    .addOption(
      new Option("--status <status>", "only active or only archived").choices(["active", "archived"]),
    )
    .option("--client <id>", "only this client's projects")
    .option("--limit <n>", "one page of at most n projects (default: all)", positiveInteger)
    .action(async (_options, command: Command) => {
      const { options, output, session } = invocation<{ status?: "active"; client?: string; limit?: number }>(
        command,
      );
      const client = await session.client();
      const filters = given({ status: options.status, client_id: options.client });
      await printList(output, (p) => client.projects.list(p), filters, options.limit, COLUMNS);
    });

  withFieldOptions(
    projects
      .command("create")
      .description("create a project")
      .argument("<name>", "unique in the organization"),
  ).action(async (name: string, _options, command: Command) => {
    const { options, output, session } = invocation<FieldOptions>(command);
    const project = await (await session.client()).projects.create({ ...fieldsOf(options), name });
    output.success(`Created project ${project.name} (${project.id})`);
    printProject(output, project);
  });

  projects
    .command("get")
    .description("one project")
    .argument("<id>", "the project (prj_…)")
    .action(async (id: string, _options, command: Command) => {
      const { output, session } = invocation(command);
      printProject(output, await (await session.client()).projects.retrieve(id));
    });

  withFieldOptions(
    projects
      .command("update")
      .description("change a project: only the options given")
      .argument("<id>", "the project (prj_…)")
      .option("--name <name>", "a new name"),
  ).action(async (id: string, _options, command: Command) => {
    const { options, output, session } = invocation<FieldOptions>(command);
    const project = await (await session.client()).projects.update(id, fieldsOf(options));
    output.success(`Updated project ${project.name} (${project.id})`);
    printProject(output, project);
  });

  projects
    .command("delete")
    .description("delete a project that no task or time entry refers to (archive it otherwise)")
    .argument("<id>", "the project (prj_…)")
    .action(async (id: string, _options, command: Command) => {
      const { output, session } = invocation(command);
      await (await session.client()).projects.delete(id);
      output.success(`Deleted project ${id}`);
    });
}
