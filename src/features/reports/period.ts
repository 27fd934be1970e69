import { ValidationError } from "../../platform/errors.js";

/**
 * Bounded work (the hardening issue): a report reads at most five years, and a summary has at
 * most MAX_BUCKETS calendar buckets (over a year of days, twenty years of months): beyond, a 400
 * that says what to ask for instead, rather than a query that runs for minutes.
 */
export const MAX_REPORT_DAYS = 1_830;
export const MAX_BUCKETS = 400;

/**
 * A report bound as the caller wrote it: an instant (RFC 3339 with an offset) is taken as is; a
 * bare date means midnight at the start of that day in the organization's timezone, which only
 * the database knows, so the store resolves it (and the defaults) in the same query as the settings.
 */
export type Bound = { kind: "instant"; at: Date } | { kind: "date"; date: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function parseBound(field: "from" | "to", value: string | undefined): Bound | undefined {
  if (value === undefined) return undefined;
  const invalid = () =>
    new ValidationError(
      field,
      `${field} must be an RFC 3339 instant such as 2024-03-01T00:00:00Z or a date such as 2024-03-01`,
      "invalid_format",
    );
  const date = DATE.exec(value);
  if (date) {
    if (!isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]))) throw invalid();
    return { kind: "date", date: value };
  }
  const instant = INSTANT.exec(value);
  if (!instant) throw invalid();
  const [, y, mo, d, h, mi, s, , , oh, om] = instant.map(Number) as number[];
  const timeOk = (h as number) < 24 && (mi as number) < 60 && (s as number) < 60;
  const offsetOk = instant[9] === undefined || ((oh as number) < 24 && (om as number) < 60);
  if (!isCalendarDate(y as number, mo as number, d as number) || !timeOk || !offsetOk) throw invalid();
  return { kind: "instant", at: new Date(value) };
}
