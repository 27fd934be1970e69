import { RowProblem } from "./cell-problems.js";
import type { Cells, ColumnSpec, FileContext, ProductRow } from "./columns.js";
import { isoDate, isoTime, parseDate, parseTime } from "./dates.js";
import { parseYesNo, splitTags } from "./flags-and-names.js";
import { instantsOf, spanBetween } from "./zoned-time.js";

const TIMED_COLUMNS = {
  user: { names: ["User", "Member"] },
  email: { names: ["Email"] },
  client: { names: ["Client"] },
  project: { names: ["Project"] },
  task: { names: ["Task"] },
  description: { names: ["Description"] },
  billable: { names: ["Billable"] },
  tags: { names: ["Tags"] },
  startDate: { names: ["Start date"], required: true },
  startTime: { names: ["Start time"], required: true },
  endDate: { names: ["End date", "Stop date"], required: true },
  endTime: { names: ["End time", "Stop time"], required: true },
} satisfies Record<string, ColumnSpec>;

/**
 * Toggl's and Clockify's detailed reports share these columns, in another order and another
 * case: Toggl writes "Start date", Clockify "Start Date" (`titleCase`, for its messages).
 */
export function timedColumns(titleCase = false): typeof TIMED_COLUMNS {
  if (!titleCase) return TIMED_COLUMNS;
  const title = (name: string) => name.replace(/\b[a-z]/g, (letter) => letter.toUpperCase());
  return Object.fromEntries(
    Object.entries(TIMED_COLUMNS).map(([key, spec]) => [key, { ...spec, names: spec.names.map(title) }]),
  ) as typeof TIMED_COLUMNS;
}
export type TimedKey = keyof typeof TIMED_COLUMNS;

/** A row of a timed report, less money; `durationS` (the exported duration) settles DST folds. */
export function readTimedEntry(
  cells: Cells<TimedKey>,
  context: FileContext,
  durationS: number | undefined,
): Omit<ProductRow, "hourlyRate" | "amount" | "currency"> {
  const date = (text: string) => parseDate(text, context.dateFormat);
  const startDate = cells.need("startDate", date);
  const startTime = cells.need("startTime", parseTime);
  const endDate = cells.need("endDate", date);
  const endTime = cells.need("endTime", parseTime);
  const localStart = `${isoDate(startDate)} ${isoTime(startTime)}`;
  const localEnd = `${isoDate(endDate)} ${isoTime(endTime)}`;
  const span = spanBetween(
    instantsOf(startDate, startTime, context.timeZone),
    instantsOf(endDate, endTime, context.timeZone),
    durationS === undefined ? undefined : durationS * 1000,
  );
  if (!span) {
    throw new RowProblem(
      cells.label("endTime"),
      "before_start",
      `The entry ends (${localEnd}) before it starts (${localStart})`,
    );
  }
  const email = cells.text("email");
  const name = cells.text("user");
  const client = cells.text("client");
  const project = cells.text("project");
  const task = cells.text("task");
  const description = cells.raw("description") ?? "";
  const lower = (text: string | undefined) => text?.toLowerCase() ?? null;
  return {
    person: { ...(email && { email }), ...(name && { name }) },
    ...(client && { client }),
    ...(project && { project }),
    ...(task && { task }),
    tags: cells.read("tags", splitTags) ?? [],
    description,
    ...span,
    billable: cells.read("billable", parseYesNo),
    identity: [
      lower(email) ?? lower(name),
      lower(client),
      lower(project),
      lower(task),
      description,
      localStart,
      localEnd,
    ],
  };
}
