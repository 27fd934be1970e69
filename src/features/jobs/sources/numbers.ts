import { BadValue, clip } from "./cell-problems.js";

/**
 * Hours and money as exports write them: `20,0` and `2.000,0` in accounts set to a decimal comma,
 * `1,234.50` in others, `1 234,50` or `1'234.50` with spaces or apostrophes between thousands.
 * Only `1,234` and `1.234` say nothing by themselves; the file's other numbers decide.
 */
export type DecimalSeparator = "." | ",";

// Spaces of every kind and apostrophes only ever group thousands.
const GROUPING_SPACE = /[\s\u00a0\u202f']/g;

/** The separator most of these cells show as a decimal one; "." when none shows either. */
export function detectDecimalSeparator(cells: Iterable<string>): DecimalSeparator {
  let comma = 0;
  let point = 0;
  for (const cell of cells) {
    const text = cell.replace(GROUPING_SPACE, "");
    const lastComma = text.lastIndexOf(",");
    const lastPoint = text.lastIndexOf(".");
    if (lastComma >= 0 && lastPoint >= 0) {
      if (lastComma > lastPoint) comma++;
      else point++;
      continue;
    }
    const at = Math.max(lastComma, lastPoint);
    if (at < 0) continue;
    const separator = text[at] as DecimalSeparator;
    const repeated = text.indexOf(separator) !== at;
    // Twice means thousands ("1,234,567"); once before exactly three digits may be either.
    if (repeated) separator === "," ? point++ : comma++;
    else if (text.length - at - 1 !== 3) separator === "," ? comma++ : point++;
  }
  return comma > point ? "," : ".";
}

/**
 * The number as plain digits with a "." (`2000.0`), checked: thousands groups must be of three
 * digits, so `1.5` in a decimal-comma file is an error rather than fifteen.
 */
export function parseDecimal(cell: string, decimal: DecimalSeparator): string {
  const text = cell.trim().replace(GROUPING_SPACE, " ");
  const thousands = decimal === "," ? "." : ",";
  const [whole = "", fraction, extra] = text.split(decimal);
  const grouped = new RegExp(`^\\d{1,3}(?:[${thousands} ]\\d{3})+$`);
  const wholeOk = /^\d+$/.test(whole) || grouped.test(whole);
  const fractionOk = fraction === undefined || /^\d+$/.test(fraction);
  if (extra !== undefined || !wholeOk || !fractionOk) {
    throw new BadValue("invalid_number", `"${clip(cell)}" is not a number (decimal separator "${decimal}")`);
  }
  const digits = whole.replace(/\D/g, "");
  return fraction === undefined ? digits : `${digits}.${fraction}`;
}

/** Exact decimal to integer minor units (cents), rounding half up; no binary floating point. */
export function toMinorUnits(plain: string, fractionDigits: number): number {
  const [whole = "0", fraction = ""] = plain.split(".");
  const kept = fraction.slice(0, fractionDigits).padEnd(fractionDigits, "0");
  const roundUp = (fraction[fractionDigits] ?? "0") >= "5";
  return Number(whole + kept) + (roundUp ? 1 : 0);
}

/** ISO 4217 minor-unit digits: 2 for EUR, 0 for JPY, 3 for KWD; 2 when the currency is unknown. */
export function currencyDigits(currency: string | undefined): number {
  if (!currency) return 2;
  return (
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** `HH:MM:SS`, `H:MM` (hours may pass 24) or decimal hours (`1.5`, `1,5`), in whole seconds. */
export function parseDuration(cell: string, decimal: DecimalSeparator): number {
  const text = cell.trim();
  const clock = /^(\d{1,6}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (clock) {
    const [hours, minutes, seconds] = [clock[1], clock[2], clock[3] ?? "0"].map(Number) as [
      number,
      number,
      number,
    ];
    if (minutes > 59 || seconds > 59)
      throw new BadValue("invalid_duration", `"${clip(cell)}" is not a duration`);
    return hours * 3600 + minutes * 60 + seconds;
  }
  try {
    return Math.round(Number(parseDecimal(text, decimal)) * 3600);
  } catch {
    throw new BadValue("invalid_duration", `"${clip(cell)}" is not a duration (HH:MM:SS or decimal hours)`);
  }
}
