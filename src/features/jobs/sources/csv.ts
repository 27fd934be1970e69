import { parse } from "csv-parse/sync";
import { ValidationError } from "../../../platform/errors.js";

/** No export writes a row this long; a longer one is refused before it is held in memory. */
export const MAX_RECORD_BYTES = 64 * 1024;

export const fileError = (message: string, reason: string, extra?: Record<string, unknown>) =>
  new ValidationError("params.csv", message, reason, extra);

function parseRecords(text: string, options: { delimiter: string; to: number }): string[][] {
  try {
    return parse(text, {
      ...options,
      bom: true,
      relax_column_count: true,
      // A stray quote inside an unquoted cell (`5" screen`) is kept as text, as spreadsheets do.
      relax_quotes: true,
      max_record_size: MAX_RECORD_BYTES,
    }) as string[][];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw fileError(`The CSV cannot be read: ${message}`, "invalid_csv");
  }
}

export interface CsvHeader {
  /** The header's cells as written, less BOMs and surrounding spaces. */
  names: string[];
  delimiter: string;
}

/**
 * The header, read from the file's first characters alone: a file that is not the expected
 * export fails before the rest of it is parsed. A header without commas but with semicolons or
 * tabs (a spreadsheet re-saved in a comma-decimal locale) names its delimiter.
 */
export function readHeader(text: string): CsvHeader {
  const start = text.slice(0, MAX_RECORD_BYTES);
  if (text.length > MAX_RECORD_BYTES && !/[\r\n]/.test(start)) {
    throw fileError("The CSV cannot be read: its first 64 KiB hold no line break", "invalid_csv");
  }
  let delimiter = ",";
  let [header] = parseRecords(start, { delimiter, to: 1 });
  const only = header?.length === 1 ? (header[0] ?? "") : "";
  const other = [";", "\t"].find((candidate) => only.includes(candidate));
  if (other) {
    delimiter = other;
    [header] = parseRecords(start, { delimiter, to: 1 });
  }
  const names = (header ?? []).map((name) => name.replace(/\uFEFF/g, "").trim());
  if (names.every((name) => name === "")) {
    throw fileError("The CSV has no header row", "missing_header");
  }
  return { names, delimiter };
}

/**
 * At most `maxRows` data records in file order, blank lines included: records[i] is spreadsheet
 * row i + 2. Parsing stops at the first record past the limit.
 */
export function readRecords(text: string, delimiter: string, maxRows: number): string[][] {
  const records = parseRecords(text, { delimiter, to: maxRows + 2 }).slice(1);
  if (records.length > maxRows) {
    throw fileError(
      `The file has more than ${maxRows} rows; one import takes at most ${maxRows}: split it`,
      "too_many_rows",
      { limit: maxRows },
    );
  }
  return records;
}
