import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";

/** The largest value of a PostgreSQL `integer`, the column type of every rate. */
export const MAX_RATE = 2_147_483_647;
export const ROUNDING_MINUTES = [0, 1, 5, 6, 10, 15, 30, 60] as const;
export const WEEK_STARTS = ["monday", "sunday"] as const;
export type WeekStart = (typeof WEEK_STARTS)[number];

const timezone = Type.String({
  minLength: 1,
  maxLength: 64,
  description:
    "IANA time zone for lock dates, days and weeks; stored in its canonical form (`US/Pacific` becomes `America/Los_Angeles`)",
  examples: ["Europe/Berlin"],
});
const weekStart = Type.Unsafe<WeekStart>({
  type: "string",
  enum: [...WEEK_STARTS],
  description: "First day of a week in weekly reports",
  examples: ["monday"],
});
const currency = Type.String({
  pattern: "^[A-Z]{3}$",
  description: "ISO 4217 code of every amount in this organization",
  examples: ["EUR"],
});
const defaultHourlyRate = Type.Integer({
  minimum: 0,
  maximum: MAX_RATE,
  description:
    "Minor units (cents) per hour, used when neither the entry, its project nor its member has a rate",
  examples: [9000],
});
const roundingMinutes = Type.Unsafe<number>({
  type: "integer",
  enum: [...ROUNDING_MINUTES],
  description:
    "Summary reports round each entry's duration up to a multiple of this many minutes before adding " +
    "it up (amounts follow); time entries and the detailed report keep exact seconds. 0: exact seconds.",
  examples: [15],
});
const lockDate = Type.Union([Type.String({ format: "date" }), Type.Null()], {
  description:
    "`YYYY-MM-DD`: entries starting before this day (midnight in `timezone`) are read-only; null unlocks",
  examples: ["2024-01-01"],
});
const membersSetRates = Type.Boolean({
  description:
    "When true, members may set `hourly_rate` on their own time entries; otherwise only managers and " +
    "above may (SPEC §3)",
  examples: [false],
});
const preventOverlaps = Type.Boolean({
  description: "When true, one user's time entries may not overlap (a running timer lasts until stopped)",
  examples: [false],
});

export const SettingsSchema = Type.Object(
  {
    timezone,
    week_start: weekStart,
    currency,
    default_hourly_rate: defaultHourlyRate,
    rounding_minutes: roundingMinutes,
    lock_date: lockDate,
    prevent_overlaps: preventOverlaps,
    members_set_rates: membersSetRates,
    updated_at: Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] }),
  },
  { additionalProperties: false },
);
export type Settings = Static<typeof SettingsSchema>;

export const UpdateSettingsBody = Type.Object(
  {
    timezone: Type.Optional(timezone),
    week_start: Type.Optional(weekStart),
    currency: Type.Optional(currency),
    default_hourly_rate: Type.Optional(defaultHourlyRate),
    rounding_minutes: Type.Optional(roundingMinutes),
    lock_date: Type.Optional(lockDate),
    prevent_overlaps: Type.Optional(preventOverlaps),
    members_set_rates: Type.Optional(membersSetRates),
  },
  { additionalProperties: false, minProperties: 1, description: "At least one field" },
);
export type UpdateSettingsBody = Static<typeof UpdateSettingsBody>;

export const MemberRateParams = Type.Object(
  {
    id: Type.String({
      pattern: idPattern("user"),
      description: "User id of a member",
      examples: ["usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P"],
    }),
  },
  { additionalProperties: false },
);

const memberRate = Type.Union([Type.Integer({ minimum: 0, maximum: MAX_RATE }), Type.Null()], {
  description:
    "Minor units (cents) per hour for this member's entries whose project has no rate; null falls back " +
    "to the organization's default_hourly_rate",
  examples: [7500],
});

export const UpdateMemberRateBody = Type.Object({ hourly_rate: memberRate }, { additionalProperties: false });
export type UpdateMemberRateBody = Static<typeof UpdateMemberRateBody>;

export const MemberRateSchema = Type.Object(
  {
    user_id: Type.String({ pattern: idPattern("user"), examples: ["usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P"] }),
    hourly_rate: memberRate,
    updated_at: Type.String({
      format: "date-time",
      description: "When the membership last changed",
      examples: ["2024-01-01T00:00:00Z"],
    }),
  },
  { additionalProperties: false },
);
export type MemberRate = Static<typeof MemberRateSchema>;
