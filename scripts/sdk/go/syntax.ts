/**
 * Go spelled as gofmt writes it, so that the generated files need no gofmt run (and no Go
 * toolchain) to be stable: names with Go's initialisms, doc comments, and struct fields aligned
 * the way gofmt's tabwriter aligns them. sdks/go's own tests run gofmt over the result.
 */
import { words } from "../model.js";

const INITIALISMS: Record<string, string> = {
  api: "API",
  csv: "CSV",
  http: "HTTP",
  id: "ID",
  ids: "IDs",
  ip: "IP",
  json: "JSON",
  uri: "URI",
  url: "URL",
  uuid: "UUID",
};

const capitalized = (word: string) => INITIALISMS[word] ?? `${word[0]?.toUpperCase()}${word.slice(1)}`;

/** `api_key_id` / `apiKeys` → `APIKeyID` / `APIKeys`. */
export const exported = (name: string) => words(name).map(capitalized).join("");

/** `delivery_id` → `deliveryID`. */
export const unexported = (name: string) =>
  words(name)
    .map((word, i) => (i === 0 ? word : capitalized(word)))
    .join("");

const UNCOUNTABLE = new Set(["auth", "health", "settings", "status"]);

/** The singular of a name's last word: `timeEntries` → `timeEntry`, `days` → `day`. */
export function singular(name: string): string {
  const last = words(name).pop() ?? "";
  if (UNCOUNTABLE.has(last)) return name;
  if (name.endsWith("ies")) return `${name.slice(0, -3)}y`;
  return name.endsWith("s") ? name.slice(0, -1) : name;
}

/** Text that ends as a sentence does. */
export const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** A Go string literal. */
export const quoted = (text: string) => JSON.stringify(text);

const WIDTH = 100;

/**
 * `// …` lines of at most WIDTH columns (a tab counted as 4). A line never starts with what Go's
 * doc-comment syntax reads as a list item (`- `, `1. `), which gofmt would re-indent.
 */
export function comment(text: string | undefined, indent = ""): string[] {
  const paragraphs = (text ?? "")
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, " ").trim())
    .filter(Boolean);
  const unique = paragraphs.filter((p, i) => paragraphs.indexOf(p) === i);
  const lines: string[] = [];
  const room = WIDTH - indent.length * 4 - 3;
  for (const [i, paragraph] of unique.entries()) {
    if (i > 0) lines.push(`${indent}//`);
    let line = "";
    for (const word of paragraph.split(" ")) {
      const listLike = /^([-*+]|\d+[.)])$/.test(word);
      if (line && line.length + 1 + word.length > room && !listLike) {
        lines.push(`${indent}// ${line}`);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(`${indent}// ${line}`);
  }
  return lines;
}

/** A struct field: its doc comment, then its cells (name, type and, optionally, the tag). */
export interface FieldLine {
  doc: string[];
  cells: string[];
}

/**
 * Struct fields as gofmt prints them: each column padded to its widest cell plus one space, over
 * each run of consecutive field lines that have a cell after it (a comment line ends the run);
 * the last cell of a line is never padded.
 */
export function structBody(fields: FieldLine[], indent = "\t"): string[] {
  const rows: Array<string | string[]> = [];
  for (const field of fields) rows.push(...field.doc.map((line) => line.trimStart()), field.cells);
  const widths = rows.map(() => [] as number[]);
  const columns = Math.max(0, ...rows.map((row) => (Array.isArray(row) ? row.length : 0)));
  for (let column = 0; column < columns - 1; column++) {
    const open = (row: string | string[]) => Array.isArray(row) && row.length > column + 1;
    for (let start = 0; start < rows.length; ) {
      if (!open(rows[start] as string | string[])) {
        start++;
        continue;
      }
      let end = start;
      let width = 0;
      for (; end < rows.length && open(rows[end] as string[]); end++) {
        width = Math.max(width, (rows[end] as string[])[column]?.length ?? 0);
      }
      for (let row = start; row < end; row++) (widths[row] as number[])[column] = width;
      start = end;
    }
  }
  return rows.map((row, i) =>
    Array.isArray(row)
      ? indent +
        row
          .map((cell, column) =>
            column < row.length - 1 ? cell.padEnd(((widths[i] as number[])[column] ?? 0) + 1) : cell,
          )
          .join("")
      : indent + row,
  );
}
