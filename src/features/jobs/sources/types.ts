import type { RowError } from "../schemas.js";
import type { DateFormat } from "./dates.js";

export const SOURCES = ["voltasis", "toggl", "clockify", "harvest"] as const;
export type Source = (typeof SOURCES)[number];
/** The products whose exports this folder reads; Voltasis's own CSV is read by ../import.ts. */
export type ForeignSource = Exclude<Source, "voltasis">;

/** Who a row's time belongs to, as the file names them; the import matches members by these. */
export interface SourcePerson {
  /** Toggl and Clockify; Harvest's detailed export has none. */
  email?: string;
  /** Harvest. */
  firstName?: string;
  lastName?: string;
  /** The display name: Toggl's and Clockify's User, Harvest's first and last name joined. */
  name?: string;
}

/** One data row of an export, as a time entry to be: names, not ids; instants in UTC. */
export interface NormalizedRow {
  /** The row as a spreadsheet numbers it: the header is row 1. */
  row: number;
  /** sha256 (hex) of the source and the row's content, distinct for repeated identical rows. */
  fingerprint: string;
  person: SourcePerson;
  client?: string;
  project?: string;
  /** Harvest's Project Code. */
  projectCode?: string;
  task?: string;
  /** Tag names, trimmed, without duplicates (case-insensitively). */
  tags: string[];
  /** As written, never trimmed; "" when the file has none. */
  description: string;
  start: Date;
  /** Never before start. */
  end: Date;
  /** Undefined when the file has no billable column: the project's default applies. */
  billable?: boolean;
  /** Minor units of `currency` per hour (integer); absent when the file gives none. */
  hourlyRate?: number;
  /** The exported billable amount in minor units, for checking; Toggl exports it without a rate. */
  amount?: number;
  /** ISO 4217 code of hourlyRate and amount, when the file says it. */
  currency?: string;
}

export interface ReadOptions {
  /** IANA zone the file's local times are in: the exporting user's or account's zone. */
  timeZone: string;
  /** The file's date format; detected from the file when absent (an ambiguous file is an error). */
  dateFormat?: DateFormat;
  /** More data rows than this is a file error (`too_many_rows`). */
  maxRows?: number;
}

export type ReadRow = { ok: true; entry: NormalizedRow } | { ok: false; error: RowError };

export interface SourceFile {
  source: ForeignSource;
  /** The format the dates were read in: the option's, or the one detected. */
  dateFormat: DateFormat;
  /** One per data row that is not blank, in file order. */
  rows: ReadRow[];
}
