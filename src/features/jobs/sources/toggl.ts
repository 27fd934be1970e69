import type { ProductFormat } from "./columns.js";
import { readMoney } from "./money.js";
import { parseDuration } from "./numbers.js";
import { readTimedEntry, type TimedKey, timedColumns } from "./timed-entry.js";

/**
 * Toggl Track's Detailed report, "Download as CSV": User, Email, Client, Project, Task,
 * Description, Billable, Start date, Start time, End date, End time, Duration, Tags, Amount (USD).
 * Times are local to the exporting user's profile zone, with no offset; dates are ISO and
 * durations `HH:MM:SS`. There is no rate column: the amount is carried as written.
 */
export const toggl: ProductFormat<TimedKey | "duration" | "amount"> = {
  source: "toggl",
  label: "Toggl Track",
  columns: {
    ...timedColumns(),
    duration: { names: ["Duration"] },
    amount: { names: ["Amount"], currency: true },
  },
  otherColumns: [],
  dateColumns: ["startDate", "endDate"],
  numberColumns: ["amount"],
  rowReader: (context) => (cells) => {
    const durationS = cells.read("duration", (text) => parseDuration(text, context.decimal));
    const entry = readTimedEntry(cells, context, durationS);
    return { ...entry, ...readMoney(cells, { amount: "amount" }, { decimal: context.decimal }) };
  },
};
