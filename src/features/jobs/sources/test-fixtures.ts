import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { ApiError } from "../../../platform/errors.js";
import type { NormalizedRow, SourceFile } from "./index.js";

/** A file of fixtures/, as the import receives it: text with any BOM still in it. */
export const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

export const entriesOf = (file: SourceFile): NormalizedRow[] =>
  file.rows.flatMap((row) => (row.ok ? [row.entry] : []));
export const errorsOf = (file: SourceFile) => file.rows.flatMap((row) => (row.ok ? [] : [row.error]));

/** An entry less its fingerprint, with instants as RFC 3339 text, for whole-shape assertions. */
export const shown = ({ fingerprint: _, start, end, ...entry }: NormalizedRow) => ({
  ...entry,
  start: start.toISOString(),
  end: end.toISOString(),
});

/** What `read` threw, which must be an ApiError: never a crash. */
export function thrownBy(read: () => unknown): ApiError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error("expected the file to be refused");
}
