import { rfc3339 } from "../../platform/time.js";
import type { MemberRate, Settings } from "./schemas.js";
import type { SettingsRow } from "./store.js";

export function toSettings(row: SettingsRow): Settings {
  return {
    timezone: row.timezone,
    week_start: row.week_start,
    currency: row.currency,
    default_hourly_rate: row.default_hourly_rate,
    rounding_minutes: row.rounding_minutes,
    lock_date: row.lock_date,
    prevent_overlaps: row.prevent_overlaps,
    members_set_rates: row.members_set_rates,
    updated_at: rfc3339(row.updated_at),
  };
}

export function toMemberRate(row: {
  user_id: string;
  hourly_rate: number | null;
  updated_at: Date;
}): MemberRate {
  return { user_id: row.user_id, hourly_rate: row.hourly_rate, updated_at: rfc3339(row.updated_at) };
}
