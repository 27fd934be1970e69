/** Python source text for the Python SDK's renderer: names, string literals, docstrings. */
import { snake } from "./model.js";

const KEYWORDS = new Set(
  (
    "False None True and as assert async await break class continue def del elif else except finally for " +
    "from global if import in is lambda nonlocal not or pass raise return try while with yield"
  ).split(" "),
);

/** `timeEntries` → `time_entries`, `from` → `from_` (a keyword cannot be an argument's name). */
export function identifier(name: string): string {
  const python = snake(name);
  return KEYWORDS.has(python) ? `${python}_` : python;
}

export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name);
}

/** A Python string literal (JSON's escapes are Python's too). */
export const pyString = (text: string) => JSON.stringify(text);

/** A Python literal of a JSON value, for `Literal[...]`. */
export function pyLiteral(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  return pyString(String(value));
}

const WIDTH = 100;

/** A docstring at `indent`, its long lines wrapped (an `Args:` entry's go on indented). */
export function docstring(text: string, indent: string): string {
  const safe = text.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"').trim();
  const lines = safe.split("\n").flatMap((line) => wrap(line, WIDTH - indent.length));
  if (lines.length === 1 && !safe.endsWith('"') && indent.length + safe.length + 6 <= WIDTH) {
    return `${indent}"""${safe}"""`;
  }
  const body = lines.map((line, i) => (i === 0 || line === "" ? line : indent + line));
  return `${indent}"""${body.join("\n")}\n${indent}"""`;
}

function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line.trimEnd()];
  const lead = /^\s*/.exec(line)?.[0] ?? "";
  // An `Args:` entry (`    name: text`) continues under its text.
  const hanging = lead.length > 0 ? `${lead}    ` : lead;
  const out: string[] = [];
  let current = lead;
  for (const word of line.trim().split(/\s+/)) {
    const candidate = current.trim() ? `${current} ${word}` : `${current}${word}`;
    if (candidate.length > width && current.trim()) {
      out.push(current);
      current = `${hanging}${word}`;
    } else current = candidate;
  }
  out.push(current);
  return out;
}

/** Splits `a, {b: c, d: e}, f(g, h)` at the commas outside brackets and strings. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = "";
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
    else if (char === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
      continue;
    }
    current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}
