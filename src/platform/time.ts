/** RFC 3339 in UTC without fractional seconds (SPEC §2: `2024-01-01T00:00:00Z`). */
export function rfc3339(value: Date | string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function rfc3339OrNull(value: Date | string | null | undefined): string | null {
  return value == null ? null : rfc3339(value);
}

/** The zone's canonical IANA name, or null when the platform's time zone database lacks it. */
export function canonicalTimezone(name: string): string | null {
  try {
    return new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
