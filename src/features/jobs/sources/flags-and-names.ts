import { BadValue, clip } from "./cell-problems.js";

const YES = new Set(["yes", "y", "true", "1"]);
const NO = new Set(["no", "n", "false", "0"]);

/** `Yes`/`No` as all three products write billable flags (`true`/`false` too). */
export function parseYesNo(cell: string): boolean {
  const text = cell.trim().toLowerCase();
  if (YES.has(text)) return true;
  if (NO.has(text)) return false;
  throw new BadValue("invalid_boolean", `"${clip(cell)}" is neither Yes nor No`);
}

/**
 * Toggl and Clockify put every tag in one cell, comma-separated (`site, travel`). Duplicates
 * that differ only in case are one tag, as the import matches tag names case-insensitively.
 */
export function splitTags(cell: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const part of cell.split(",")) {
    const tag = part.trim();
    if (tag === "" || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/**
 * The ISO 4217 code in `USD`, `Euro - EUR` (Harvest's Currency column) or a header's `(USD)`;
 * undefined when there is none (Toggl writes `Amount ()` for a workspace without a currency).
 */
export function currencyCode(text: string): string | undefined {
  const code = /(?:^|[\s(-])([A-Za-z]{3})\)?\s*$/.exec(text.trim())?.[1]?.toUpperCase();
  return code && CURRENCIES.has(code) ? code : undefined;
}
