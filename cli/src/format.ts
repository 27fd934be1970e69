/** How values read in a table: the API's integers and timestamps, made readable and kept exact. */

/** Seconds as `h:mm:ss` (`27:05:00` past a day), as time trackers show a timer. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return `${hours}:${String(minutes).padStart(2, "0")}:${String(rest).padStart(2, "0")}`;
}

/** Minor units (cents) with the currency: `120.00 EUR`. */
export function formatMoney(minor: number | null | undefined, currency: string): string | null {
  if (minor === null || minor === undefined) return null;
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

export function truncate(text: string | null | undefined, max = 40): string | null {
  if (!text) return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const yesNo = (value: boolean) => (value ? "yes" : "no");
