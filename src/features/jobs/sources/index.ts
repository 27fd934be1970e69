/**
 * Reading Toggl Track, Clockify and Harvest exports (issue 16) into normalized rows: names
 * rather than ids, UTC instants, money in minor units, a fingerprint per row. Pure: no database,
 * no clock; the import job matches the names to the organization's resources.
 *
 * - Columns are found by header name (case, spaces and BOM aside), in any order; unknown columns
 *   are ignored, missing required ones named (`missing_column`), and a header that fits another
 *   product better is `wrong_product`, naming it.
 * - Blank lines are skipped and keep their row numbers, as in a spreadsheet.
 * - A cell that a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+…`, `-…`, `@…`) is kept
 *   verbatim: imported text is never evaluated, a leading `-` is common in real descriptions, and
 *   Voltasis's own CSV export escapes such cells on the way out.
 */
import { ValidationError } from "../../../platform/errors.js";
import { canonicalTimezone } from "../../../platform/time.js";
import { MAX_IMPORT_ROWS } from "../schemas.js";
import { RowProblem } from "./cell-problems.js";
import { Cells, type Column, headerFit, matchColumn, type ProductFormat } from "./columns.js";
import { fileError, readHeader, readRecords } from "./csv.js";
import { DATE_FORMATS, type DateFormat, detectDateFormat } from "./dates.js";
import { detectSource, FORMATS, MIN_FIT, wrongProduct } from "./detect.js";
import { fingerprinter } from "./fingerprint.js";
import { detectDecimalSeparator } from "./numbers.js";
import type { ForeignSource, ReadOptions, ReadRow, Source, SourceFile } from "./types.js";
import { checkVoltasisHeader } from "./voltasis.js";

export { DATE_FORMATS, type DateFormat } from "./dates.js";
export { detectSource } from "./detect.js";
export {
  type ForeignSource,
  type NormalizedRow,
  type ReadOptions,
  type ReadRow,
  SOURCES,
  type Source,
  type SourceFile,
  type SourcePerson,
} from "./types.js";
export { IMPORTED_COLUMNS, readVoltasis, type VoltasisReadRow, type VoltasisRow } from "./voltasis.js";

/** As many rows as one import job takes. */
export const DEFAULT_MAX_ROWS = MAX_IMPORT_ROWS;

function locateColumns(format: ProductFormat, header: readonly string[]): Record<string, Column> {
  const detected = detectSource(header);
  if (detected && detected !== format.source) {
    throw wrongProduct(format.source, detected);
  }
  const columns: Record<string, Column> = {};
  const missing: string[] = [];
  for (const [key, spec] of Object.entries(format.columns)) {
    const found = header.flatMap((label, index) => {
      const match = matchColumn(spec, label);
      return match ? [{ index, label, ...match }] : [];
    });
    if (found.length > 1) {
      throw fileError(`Column "${found[1]?.label}" appears twice`, "duplicate_column", {
        column: found[1]?.label,
      });
    }
    if (found[0]) columns[key] = found[0];
    else if (spec.required) missing.push(spec.names[0] as string);
  }
  if (missing.length > 0) {
    const foreign =
      headerFit(format, header) < MIN_FIT ? `; this does not look like a ${format.label} export` : "";
    throw fileError(
      `The header lacks the ${format.label} column${missing.length > 1 ? "s" : ""} ${missing.map((name) => `"${name}"`).join(", ")}${foreign}`,
      "missing_column",
      { column: missing[0], columns: missing },
    );
  }
  return columns;
}

function checkedOptions(options: ReadOptions): { timeZone: string; dateFormat?: DateFormat } {
  const timeZone = canonicalTimezone(options.timeZone);
  if (!timeZone) {
    throw new ValidationError(
      "params.timezone",
      `Unknown time zone ${options.timeZone}: use an IANA name such as Europe/Berlin or UTC`,
      "invalid_timezone",
    );
  }
  if (options.dateFormat !== undefined && !DATE_FORMATS.includes(options.dateFormat)) {
    throw new ValidationError(
      "params.date_format",
      `Unknown date format ${options.dateFormat}: use one of ${DATE_FORMATS.join(", ")}`,
      "invalid_value",
    );
  }
  return { timeZone, dateFormat: options.dateFormat };
}

/**
 * What can be checked of a file before it is read whole, so that a job's creation refuses it at
 * once: its header (the columns of `source`'s export, not another product's) and the options.
 * Voltasis files carry offsets and ISO dates: they take no time zone or date format.
 */
export function checkFile(source: Source, csv: string, options: ReadOptions): ReadOptions {
  if (source === "voltasis") {
    checkVoltasisHeader(csv);
    return options;
  }
  const checked = checkedOptions(options);
  locateColumns(FORMATS[source], readHeader(csv).names);
  return checked;
}

/**
 * Every data row of a `source` export, each read into a normalized row or a row error. A file
 * that cannot be read as that export throws a ValidationError on `params.csv` (`missing_header`,
 * `missing_column`, `duplicate_column`, `wrong_product`, `invalid_csv`, `too_many_rows`,
 * `ambiguous_date_format`); a bad option throws one on `params.timezone` or `params.date_format`.
 */
export function readSource(source: ForeignSource, csv: string, options: ReadOptions): SourceFile {
  const { timeZone, dateFormat: chosenFormat } = checkedOptions(options);
  const format = FORMATS[source];
  const { names: header, delimiter } = readHeader(csv);
  const columns = locateColumns(format, header);
  const records = readRecords(csv, delimiter, options.maxRows ?? DEFAULT_MAX_ROWS);
  const data = records
    .map((record, index) => ({ row: index + 2, record }))
    .filter(({ record }) => record.some((cell) => cell.trim() !== ""));
  const cellsOf = (keys: readonly string[]) =>
    data.flatMap(({ record }) =>
      keys.flatMap((key) => (columns[key] ? [record[columns[key].index] ?? ""] : [])),
    );

  let dateFormat = chosenFormat;
  if (!dateFormat) {
    const detected = detectDateFormat(cellsOf(format.dateColumns));
    if ("ambiguous" in detected) {
      throw fileError(
        `The dates (such as ${detected.example}) read as ${detected.ambiguous.join(" or ")}: say which with date_format`,
        "ambiguous_date_format",
        { formats: detected.ambiguous },
      );
    }
    dateFormat = detected.format;
  }
  const decimal = detectDecimalSeparator(cellsOf(format.numberColumns));
  const readRow = format.rowReader({ timeZone, dateFormat, decimal });
  const fingerprint = fingerprinter(source);

  const rows = data.map(({ row, record }): ReadRow => {
    if (record.length !== header.length) {
      const message = `The row has ${record.length} cells; the header has ${header.length}`;
      return { ok: false, error: { row, field: "row", reason: "column_count", message } };
    }
    try {
      const { identity, ...entry } = readRow(new Cells(columns, format.columns, record));
      return { ok: true, entry: { row, fingerprint: fingerprint(identity), ...entry } };
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      return { ok: false, error: { row, field: error.field, reason: error.reason, message: error.message } };
    }
  });
  return { source, dateFormat, rows };
}
