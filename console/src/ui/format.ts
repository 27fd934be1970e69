/** 5400 → "1:30:00": how time trackers show a duration. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** 5400 → "1.5 h", for totals and charts. */
export function formatHours(seconds: number): string {
  return `${(seconds / 3600).toFixed(seconds % 3600 === 0 ? 0 : 2)} h`;
}

export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatDay(date: Date): string {
  return date.toLocaleDateString(undefined, { weekday: "long", month: "short", day: "numeric" });
}

/** The local calendar date of a Date as YYYY-MM-DD (what <input type="date"> holds). */
export function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** HH:MM of a Date in local time (what <input type="time"> holds). */
export function localTime(date: Date): string {
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/** A local date (YYYY-MM-DD) and time (HH:MM) as an RFC 3339 instant in UTC. */
export function instantOf(date: string, time: string): string {
  return new Date(`${date}T${time}`).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function startOfWeek(date: Date, weekStart: "monday" | "sunday"): Date {
  const start = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const offset = weekStart === "monday" ? (start.getDay() + 6) % 7 : start.getDay();
  start.setDate(start.getDate() - offset);
  return start;
}

export function addDays(date: Date, days: number): Date {
  const next = new Date(date);
  next.setDate(next.getDate() + days);
  return next;
}

/** The API counts money in minor units (cents); people type and read it in whole units. */
export const toMinorUnits = (amount: string): number => Math.round(Number(amount) * 100);
export const fromMinorUnits = (minor: number): string => (minor / 100).toFixed(2);
