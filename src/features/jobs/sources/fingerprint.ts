import { sha256 } from "../../../platform/sha256.js";
import type { Source } from "./types.js";

/**
 * Fingerprints for one file's rows: sha256 of the source and the row's content, plus how many
 * times that content came before in the file, so that two identical rows (two 30-minute calls
 * with the same description) stay two entries, and the same file read again gives the same
 * fingerprints row by row. The content is the file's own (local dates and times, names in lower
 * case): importing a file again with another time zone or date format still recognizes its rows.
 */
export function fingerprinter(source: Source) {
  const seen = new Map<string, number>();
  return (identity: ReadonlyArray<string | number | null>): string => {
    const content = sha256(JSON.stringify([source, ...identity]), "hex");
    const occurrence = (seen.get(content) ?? 0) + 1;
    seen.set(content, occurrence);
    return sha256(`${content}:${occurrence}`, "hex");
  };
}
