import { RowProblem } from "./cell-problems.js";
import type { ProductFormat } from "./columns.js";
import { isoDate, isoTime, type LocalTime, parseDate, parseTime } from "./dates.js";
import { currencyCode, parseYesNo } from "./flags-and-names.js";
import { readMoney } from "./money.js";
import { parseDuration } from "./numbers.js";
import { instantsOf, spanBetween } from "./zoned-time.js";

type HarvestKey =
  | "date"
  | "client"
  | "project"
  | "projectCode"
  | "task"
  | "notes"
  | "hours"
  | "billable"
  | "firstName"
  | "lastName"
  | "email"
  | "rate"
  | "amount"
  | "currency"
  | "startedAt"
  | "endedAt";

/** Where a day's time starts when the file says only how long (issue 16). */
const DAY_START: LocalTime = { hour: 9, minute: 0, second: 0 };

/**
 * Harvest's Detailed time report, "Export → CSV": Date, Client, Project, Project Code, Task,
 * Notes, Hours, [Hours Rounded], Billable?, Invoiced?, Approved?, First Name, Last Name, Roles,
 * Employee?, Billable Rate, Billable Amount, Cost Rate, Cost Amount, Currency ("Euro - EUR"),
 * External Reference URL. Dates and numbers follow the account's formats (`26.01.2015`, `"7,5"`).
 *
 * Harvest records hours per day, not clock times: a row becomes an entry of that many hours from
 * 09:00 local, and the same person's next hours-only row of that day starts where the previous
 * one ended, so a day of several rows does not overlap itself. The report has no start and end
 * columns; where a file has them (`Started At`/`Ended At`, as Harvest's API calls its timestamps),
 * they are used, on the row's date.
 */
export const harvest: ProductFormat<HarvestKey> = {
  source: "harvest",
  label: "Harvest",
  columns: {
    date: { names: ["Date"], required: true },
    client: { names: ["Client"] },
    project: { names: ["Project"] },
    projectCode: { names: ["Project Code"] },
    task: { names: ["Task"] },
    notes: { names: ["Notes"] },
    hours: { names: ["Hours"], required: true },
    billable: { names: ["Billable?"] },
    firstName: { names: ["First Name"] },
    lastName: { names: ["Last Name"] },
    email: { names: ["Email"] },
    rate: { names: ["Billable Rate"] },
    amount: { names: ["Billable Amount"] },
    currency: { names: ["Currency"] },
    startedAt: { names: ["Started At", "Start Time", "Started Time"] },
    endedAt: { names: ["Ended At", "End Time", "Ended Time"] },
  },
  otherColumns: [
    "Hours Rounded",
    "Invoiced?",
    "Approved?",
    "Roles",
    "Department",
    "Employee?",
    "Employee Id",
    "Cost Rate",
    "Cost Amount",
    "External Reference URL",
  ].map((name) => ({ names: [name] })),
  dateColumns: ["date"],
  numberColumns: ["hours", "rate", "amount"],
  rowReader: (context) => {
    /** Per person and day, where the next hours-only entry starts (epoch ms). */
    const dayEnds = new Map<string, number>();
    return (cells) => {
      const date = cells.need("date", (text) => parseDate(text, context.dateFormat));
      const seconds = cells.need("hours", (text) => parseDuration(text, context.decimal));
      const startedAt = cells.read("startedAt", parseTime);
      const endedAt = cells.read("endedAt", parseTime);
      const firstName = cells.text("firstName");
      const lastName = cells.text("lastName");
      const email = cells.text("email");
      const name = [firstName, lastName].filter(Boolean).join(" ") || undefined;
      const personKey = (email ?? name ?? "").toLowerCase();

      let start: number;
      let end: number;
      if (startedAt && endedAt) {
        const span = spanBetween(
          instantsOf(date, startedAt, context.timeZone),
          instantsOf(date, endedAt, context.timeZone),
          seconds * 1000,
        );
        if (!span) {
          throw new RowProblem(
            cells.label("endedAt"),
            "before_start",
            `The entry ends (${isoTime(endedAt)}) before it starts (${isoTime(startedAt)}) on ${isoDate(date)}`,
          );
        }
        start = span.start.getTime();
        end = span.end.getTime();
      } else if (startedAt) {
        start = instantsOf(date, startedAt, context.timeZone)[0] as number;
        end = start + seconds * 1000;
      } else {
        const day = `${personKey} ${isoDate(date)}`;
        start = dayEnds.get(day) ?? (instantsOf(date, DAY_START, context.timeZone)[0] as number);
        end = start + seconds * 1000;
        dayEnds.set(day, end);
      }

      const client = cells.text("client");
      const project = cells.text("project");
      const projectCode = cells.text("projectCode");
      const task = cells.text("task");
      const description = cells.raw("notes") ?? "";
      const billable = cells.read("billable", parseYesNo);
      const currency = cells.read("currency", currencyCode);
      const lower = (text: string | undefined) => text?.toLowerCase() ?? null;
      return {
        person: {
          ...(email && { email }),
          ...(firstName && { firstName }),
          ...(lastName && { lastName }),
          ...(name && { name }),
        },
        ...(client && { client }),
        ...(project && { project }),
        ...(projectCode && { projectCode }),
        ...(task && { task }),
        tags: [],
        description,
        start: new Date(start),
        end: new Date(end),
        billable,
        ...readMoney(
          cells,
          { rate: "rate", amount: "amount" },
          { decimal: context.decimal, currency, billable },
        ),
        identity: [
          personKey,
          lower(client),
          lower(project),
          lower(task),
          description,
          isoDate(date),
          startedAt ? isoTime(startedAt) : null,
          endedAt ? isoTime(endedAt) : null,
          seconds,
        ],
      };
    };
  },
};
