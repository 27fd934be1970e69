import { BadValue, clip } from "./cell-problems.js";

/**
 * The calendar dates exports write. Toggl and Harvest usually write ISO dates; Clockify writes
 * the account's own format, so `03/04/2024` is March 4th in one account and April 3rd in another.
 */
export const DATE_FORMATS = [
  "YYYY-MM-DD",
  "MM/DD/YYYY",
  "DD/MM/YYYY",
  "DD.MM.YYYY",
  "MM-DD-YYYY",
  "DD-MM-YYYY",
] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}
export interface LocalTime {
  hour: number;
  minute: number;
  second: number;
}

// Each pattern is anchored and has no nested repetition: a long hostile cell fails at once.
const DATE_PATTERNS: Record<DateFormat, { pattern: RegExp; order: "ymd" | "mdy" | "dmy" }> = {
  "YYYY-MM-DD": { pattern: /^(\d{4})-(\d{1,2})-(\d{1,2})$/, order: "ymd" },
  "MM/DD/YYYY": { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: "mdy" },
  "DD/MM/YYYY": { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: "dmy" },
  "DD.MM.YYYY": { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: "dmy" },
  "MM-DD-YYYY": { pattern: /^(\d{1,2})-(\d{1,2})-(\d{4})$/, order: "mdy" },
  "DD-MM-YYYY": { pattern: /^(\d{1,2})-(\d{1,2})-(\d{4})$/, order: "dmy" },
};

// Years outside this range are typing mistakes; Date.UTC also reads years below 100 as 19xx.
const MIN_YEAR = 1900;
const MAX_YEAR = 9999;

function dateIn(text: string, format: DateFormat): LocalDate | undefined {
  const { pattern, order } = DATE_PATTERNS[format];
  const match = pattern.exec(text);
  if (!match) return undefined;
  const [a, b, c] = match.slice(1).map(Number) as [number, number, number];
  const date =
    order === "ymd"
      ? { year: a, month: b, day: c }
      : order === "mdy"
        ? { year: c, month: a, day: b }
        : { year: c, month: b, day: a };
  const probe = new Date(Date.UTC(date.year, date.month - 1, date.day));
  const real =
    date.year >= MIN_YEAR &&
    date.year <= MAX_YEAR &&
    probe.getUTCMonth() === date.month - 1 &&
    probe.getUTCDate() === date.day;
  return real ? date : undefined;
}

export function parseDate(text: string, format: DateFormat): LocalDate {
  const date = dateIn(text.trim(), format);
  if (!date) throw new BadValue("invalid_date", `"${clip(text)}" is not a date written ${format}`);
  return date;
}

/**
 * The one format that reads the most of these cells. Cells no format reads are left to be
 * reported on their rows. Several formats reading as many cells (every day of the file is 12
 * or less) is `ambiguous`: only the caller can say which the account uses.
 */
export function detectDateFormat(
  cells: Iterable<string>,
): { format: DateFormat } | { ambiguous: DateFormat[]; example: string } {
  const counts = new Map<DateFormat, number>(DATE_FORMATS.map((format) => [format, 0]));
  const examples = new Map<DateFormat, string>();
  for (const cell of cells) {
    const text = cell.trim();
    if (text === "") continue;
    for (const format of DATE_FORMATS) {
      if (dateIn(text, format)) {
        counts.set(format, (counts.get(format) ?? 0) + 1);
        if (!examples.has(format)) examples.set(format, text);
      }
    }
  }
  const most = Math.max(...counts.values());
  if (most === 0) return { format: "YYYY-MM-DD" };
  const best = DATE_FORMATS.filter((format) => counts.get(format) === most);
  if (best.length === 1) return { format: best[0] as DateFormat };
  return { ambiguous: best, example: examples.get(best[0] as DateFormat) ?? "" };
}

/** `23:01`, `23:01:05`, `11:23:01 AM`, `9:00am`, `9:00 p.m.`: 24-hour unless AM/PM says otherwise. */
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([AaPp])\.?[Mm]\.?)?$/;

export function parseTime(text: string): LocalTime {
  const match = TIME.exec(text.trim());
  const bad = () => new BadValue("invalid_time", `"${clip(text)}" is not a time of day`);
  if (!match) throw bad();
  let hour = Number(match[1]);
  const minute = Number(match[2]);
  const second = Number(match[3] ?? 0);
  const half = match[4]?.toLowerCase();
  if (half) {
    if (hour < 1 || hour > 12) throw bad();
    // 12 AM is midnight and 12 PM noon, as clocks and Clockify write them.
    hour = (hour % 12) + (half === "p" ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) throw bad();
  return { hour, minute, second };
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");
export const isoDate = (date: LocalDate) => `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
export const isoTime = (time: LocalTime) => `${pad(time.hour)}:${pad(time.minute)}:${pad(time.second)}`;
