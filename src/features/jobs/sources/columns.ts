import { BadValue, RowProblem } from "./cell-problems.js";
import type { DateFormat } from "./dates.js";
import type { DecimalSeparator } from "./numbers.js";
import type { NormalizedRow, Source } from "./types.js";

/**
 * A column as products write it: its names (the first is the usual one; others are names seen in
 * other versions), matched case-insensitively with spaces trimmed and collapsed. A `currency`
 * column may carry the currency in its name: `Billable Rate (USD)`, `Amount ()`.
 */
export interface ColumnSpec {
  names: readonly string[];
  required?: boolean;
  currency?: boolean;
}

export interface FileContext {
  timeZone: string;
  dateFormat: DateFormat;
  decimal: DecimalSeparator;
}

/** What a product reads from one row; `identity` is the content its fingerprint is made of. */
export type ProductRow = Omit<NormalizedRow, "row" | "fingerprint"> & {
  identity: ReadonlyArray<string | number | null>;
};

/** What a product's header looks like: enough to tell its files from others'. */
export interface HeaderSignature {
  source: Source;
  label: string;
  columns: Record<string, ColumnSpec>;
  /** Columns the product writes that the import does not read: they tell its files apart too. */
  otherColumns: readonly ColumnSpec[];
}

/** One product's export: its columns, and how a row of it becomes a time entry. */
export interface ProductFormat<K extends string = string> extends HeaderSignature {
  columns: Record<K, ColumnSpec>;
  dateColumns: readonly K[];
  numberColumns: readonly K[];
  /** A reader per file, so that a product may carry state from row to row (Harvest's days). */
  rowReader(context: FileContext): (cells: Cells<K>) => ProductRow;
}

const normalizeName = (name: string) =>
  name
    .replace(/\uFEFF/g, "")
    .trim()
    .replace(/\s+/g, " ")
    .toLowerCase();

/** Whether a header cell is this column; for a currency column, the `(XXX)` in its name too. */
export function matchColumn(spec: ColumnSpec, header: string): { currency?: string } | undefined {
  const name = normalizeName(header);
  if (spec.names.some((candidate) => normalizeName(candidate) === name)) return {};
  if (!spec.currency) return undefined;
  const suffixed = /^(.*?) ?\(([^()]*)\)$/.exec(name);
  if (!suffixed || !spec.names.some((candidate) => normalizeName(candidate) === suffixed[1]))
    return undefined;
  const code = suffixed[2]?.trim().toUpperCase();
  return code ? { currency: code } : {};
}

/** The share of a header's columns that this product writes: 1 for its own exports. */
export function headerFit(signature: HeaderSignature, header: readonly string[]): number {
  const specs = [...Object.values(signature.columns), ...signature.otherColumns];
  const named = header.filter((name) => name !== "");
  if (named.length === 0) return 0;
  return named.filter((name) => specs.some((spec) => matchColumn(spec, name))).length / named.length;
}

export interface Column {
  index: number;
  /** The header as the file writes it, for messages and RowError.field. */
  label: string;
  currency?: string;
}

/**
 * A row's cells by column key. `text` is trimmed and undefined for an absent column or an empty
 * cell; `read` parses a cell and names its column in any error.
 */
export class Cells<K extends string> {
  constructor(
    private readonly columns: Partial<Record<K, Column>>,
    private readonly specs: Record<K, ColumnSpec>,
    private readonly record: readonly string[],
  ) {}

  raw(key: K): string | undefined {
    const column = this.columns[key];
    return column === undefined ? undefined : this.record[column.index];
  }

  text(key: K): string | undefined {
    const text = this.raw(key)?.trim();
    return text === "" ? undefined : text;
  }

  label(key: K): string {
    return this.columns[key]?.label ?? (this.specs[key].names[0] as string);
  }

  currency(key: K): string | undefined {
    return this.columns[key]?.currency;
  }

  read<T>(key: K, parse: (text: string) => T): T | undefined {
    const text = this.text(key);
    if (text === undefined) return undefined;
    try {
      return parse(text);
    } catch (error) {
      if (!(error instanceof BadValue)) throw error;
      throw new RowProblem(this.label(key), error.reason, `${this.label(key)}: ${error.message}`);
    }
  }

  /** As `read`, for a cell the row cannot do without. */
  need<T>(key: K, parse: (text: string) => T): T {
    const value = this.read(key, parse);
    if (value === undefined) throw new RowProblem(this.label(key), "required", `${this.label(key)} is empty`);
    return value;
  }
}
