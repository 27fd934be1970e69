import type { LocalDate, LocalTime } from "./dates.js";

/*
 * Local wall times of an IANA zone to UTC instants with Node's own ICU (Intl.DateTimeFormat): no
 * dependency is needed for one conversion, and the zone data is the same the API uses elsewhere.
 *
 * The rules, as Temporal's default ("compatible") and java.time have them:
 * - a wall time the spring change skips (02:30 in Berlin on 2024-03-31) is read with the offset
 *   before the change, so it lands as far past the change as it was meant to be past 02:00: 03:30;
 * - a wall time the autumn change shows twice (02:30 in Berlin on 2024-10-27) has two instants.
 *   An entry takes the pair of start and end instants whose length is the exported duration when
 *   the file has one, else the earliest pair that does not end before it starts; a lone time (a
 *   Harvest day's start) takes the earlier instant.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Offsets lie within -12 h … +14 h, so the instants showing a wall time lie within 14 h of it. */
const REACH_MS = 14 * HOUR_MS;
/** Offsets at UTC midnights, remembered: most rows need no ICU call at all. Bounded, then reset. */
const MAX_REMEMBERED = 50_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const midnightOffsets = new Map<string, number>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, format);
  }
  return format;
}

/** Local time minus UTC, in milliseconds, in `zone` at `instant` (whole seconds). */
function offsetAt(zone: string, instant: number): number {
  const parts = formatter(zone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

function offsetAtMidnight(zone: string, midnight: number): number {
  const key = `${zone} ${midnight}`;
  let offset = midnightOffsets.get(key);
  if (offset === undefined) {
    if (midnightOffsets.size >= MAX_REMEMBERED) midnightOffsets.clear();
    offset = offsetAt(zone, midnight);
    midnightOffsets.set(key, offset);
  }
  return offset;
}

/**
 * The instants (epoch ms, ascending) at which `zone` shows this wall time: one, or two in an
 * autumn fold; a skipped spring time gives the one instant the rules above say.
 */
export function instantsOf(date: LocalDate, time: LocalTime, zone: string): number[] {
  const wall = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute, time.second);
  // Samples before and after every instant that can show `wall`; no zone changes twice in 3 days.
  const before = offsetAtMidnight(zone, Math.floor((wall - REACH_MS) / DAY_MS) * DAY_MS);
  const after = offsetAtMidnight(zone, Math.ceil((wall + REACH_MS) / DAY_MS) * DAY_MS);
  if (before === after) return [wall - before];
  const shown = [...new Set([wall - before, wall - after])]
    .filter((instant) => offsetAt(zone, instant) === wall - instant)
    .sort((a, b) => a - b);
  return shown.length > 0 ? shown : [wall - before];
}

/** See the rules above; undefined when every pair ends before it starts. */
export function spanBetween(
  starts: number[],
  ends: number[],
  durationMs?: number,
): { start: Date; end: Date } | undefined {
  const pairs = starts.flatMap((start) => ends.map((end) => [start, end] as const));
  const pair =
    (durationMs === undefined ? undefined : pairs.find(([start, end]) => end - start === durationMs)) ??
    pairs.find(([start, end]) => end >= start);
  return pair && { start: new Date(pair[0]), end: new Date(pair[1]) };
}
