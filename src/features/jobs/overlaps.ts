import type { OrgContext } from "../../platform/tenancy.js";
import type { EntryValues } from "../time-entries/store.js";
import type { Write } from "../time-entries/writes.js";
import type { RowError } from "./schemas.js";

/** Spans of one user accepted so far, sorted by start and (so) by end: [start, end), end Infinity if running. */
function overlapsAccepted(accepted: Array<[number, number]>, start: number, end: number): boolean {
  if (end === start) return false; // an empty range overlaps nothing, as in PostgreSQL
  let lo = 0;
  let hi = accepted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((accepted[mid] as [number, number])[0] < start) lo = mid + 1;
    else hi = mid;
  }
  const before = accepted[lo - 1];
  const after = accepted[lo];
  if ((before && before[1] > start) || (after && after[0] < end)) return true;
  accepted.splice(lo, 0, [start, end]);
  return false;
}

/**
 * With prevent_overlaps, as POST /v1/time-entries refuses an entry that meets another of the
 * same user: first against the entries already stored (one query, under the users' write locks),
 * then row by row against the rows accepted before it, as if they had been posted in file order.
 */
export async function withoutOverlaps<C extends { row: number; values: EntryValues }>(
  w: Write,
  ctx: OrgContext,
  candidates: C[],
  errors: RowError[],
): Promise<C[]> {
  const users = [...new Set(candidates.map((c) => c.values.user_id))].sort();
  for (const user of users) await w.store.lockUser(ctx, user);
  const stored = new Set(
    await w.store.overlappingSpans(
      ctx,
      candidates.map((c) => ({ userId: c.values.user_id, start: c.values.start_at, end: c.values.end_at })),
    ),
  );
  const acceptedByUser = new Map<string, Array<[number, number]>>();
  const accepted: C[] = [];
  candidates.forEach((candidate, index) => {
    const { user_id: user, start_at: start, end_at: end } = candidate.values;
    const spans = acceptedByUser.get(user) ?? [];
    acceptedByUser.set(user, spans);
    if (stored.has(index) || overlapsAccepted(spans, start.getTime(), end?.getTime() ?? Infinity)) {
      errors.push({
        row: candidate.row,
        field: "start",
        reason: "overlap",
        message: "The entry overlaps another entry of the same user",
      });
    } else accepted.push(candidate);
  });
  return accepted;
}
