import { ValidationError } from "../../platform/errors.js";

/** What a summary can be grouped by (SPEC §6), and the field each one's value has in a group's key. */
export const DIMENSION_KEYS = {
  project: "project_id",
  client: "client_id",
  task: "task_id",
  tag: "tag_id",
  user: "user_id",
  day: "day",
  week: "week",
  month: "month",
} as const;

export type Dimension = keyof typeof DIMENSION_KEYS;
export const DIMENSIONS = Object.keys(DIMENSION_KEYS) as Dimension[];

/** Calendar buckets are dates in the organization's timezone; the others are resources with a name. */
export const isCalendar = (d: Dimension) => d === "day" || d === "week" || d === "month";

// Two levels is what a table or a stacked chart can show; deeper nesting belongs in the detailed report.
const MAX_DIMENSIONS = 2;
export const DEFAULT_GROUP_BY: Dimension[] = ["project"];

/** `group_by=project,user` → ["project", "user"]; a 400 naming `group_by` for anything else. */
export function parseGroupBy(raw: string | undefined): Dimension[] {
  if (raw === undefined) return DEFAULT_GROUP_BY;
  const names = raw.split(",").map((name) => name.trim());
  // Own keys only: `in` would take `constructor` or `__proto__` for a grouping (from Object.prototype).
  const unknown = names.filter((name) => !Object.hasOwn(DIMENSION_KEYS, name));
  if (unknown.length > 0) {
    throw new ValidationError(
      "group_by",
      `Unknown grouping: ${unknown.map((u) => `"${u}"`).join(", ")}; use one or two of: ${DIMENSIONS.join(", ")}`,
      "invalid_value",
      { allowed: DIMENSIONS },
    );
  }
  if (names.length > MAX_DIMENSIONS) {
    throw new ValidationError(
      "group_by",
      `group_by takes at most ${MAX_DIMENSIONS} groupings (got ${names.length})`,
      "too_many_values",
    );
  }
  if (new Set(names).size !== names.length) {
    throw new ValidationError("group_by", "group_by names the same grouping twice", "duplicate_items");
  }
  return names as Dimension[];
}
