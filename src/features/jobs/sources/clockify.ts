import type { ProductFormat } from "./columns.js";
import { readMoney } from "./money.js";
import { parseDuration } from "./numbers.js";
import { readTimedEntry, type TimedKey, timedColumns } from "./timed-entry.js";

/**
 * Clockify's Detailed report, "Export CSV": Project, Client, Description, Task, User, Group,
 * Email, Tags, Billable, Start Date, Start Time, End Date, End Time, Duration (h),
 * Duration (decimal), Billable Rate (USD), Billable Amount (USD), and cost columns on some plans.
 * Dates are in the account's format (`03/04/2024` is either order), times 12-hour (`11:23:01 AM`)
 * or 24-hour as the account shows them, numbers in its number format.
 */
export const clockify: ProductFormat<TimedKey | "duration" | "durationDecimal" | "rate" | "amount"> = {
  source: "clockify",
  label: "Clockify",
  columns: {
    ...timedColumns(true),
    duration: { names: ["Duration (h)"] },
    durationDecimal: { names: ["Duration (decimal)"] },
    rate: { names: ["Billable Rate"], currency: true },
    amount: { names: ["Billable Amount"], currency: true },
  },
  otherColumns: [
    { names: ["Group"] },
    { names: ["Cost Rate"], currency: true },
    { names: ["Cost Amount"], currency: true },
    { names: ["Date of creation"] },
    { names: ["Kiosk"] },
  ],
  dateColumns: ["startDate", "endDate"],
  numberColumns: ["durationDecimal", "rate", "amount"],
  rowReader: (context) => (cells) => {
    const duration = (text: string) => parseDuration(text, context.decimal);
    const durationS = cells.read("duration", duration) ?? cells.read("durationDecimal", duration);
    const entry = readTimedEntry(cells, context, durationS);
    const money = readMoney(
      cells,
      { rate: "rate", amount: "amount" },
      { ...context, billable: entry.billable },
    );
    return { ...entry, ...money };
  },
};
