import { MAX_RATE } from "../../settings/schemas.js";
import { BadValue, clip } from "./cell-problems.js";
import type { Cells } from "./columns.js";
import { currencyCode } from "./flags-and-names.js";
import { currencyDigits, type DecimalSeparator, parseDecimal, toMinorUnits } from "./numbers.js";
import type { NormalizedRow } from "./types.js";

type Money = Pick<NormalizedRow, "hourlyRate" | "amount" | "currency">;

function parseMoney(text: string, decimal: DecimalSeparator, currency: string | undefined): number {
  const minor = toMinorUnits(parseDecimal(text, decimal), currencyDigits(currency));
  if (minor > MAX_RATE) throw new BadValue("too_large", `"${clip(text)}" is more than this API stores`);
  return minor;
}

/**
 * The rate and amount columns in minor units of the file's currency (the column header's, else
 * `currency`). A zero rate on a non-billable row means "no rate" in these products, not a rate
 * of zero that would price the entry at nothing if it became billable: it is left out.
 */
export function readMoney<K extends string>(
  cells: Cells<K>,
  keys: { rate?: K; amount?: K },
  options: { decimal: DecimalSeparator; currency?: string; billable?: boolean },
): Money {
  const named = (keys.rate && cells.currency(keys.rate)) || (keys.amount && cells.currency(keys.amount));
  const currency = (named && currencyCode(named)) || options.currency;
  const money = (key: K | undefined) =>
    key && cells.read(key, (text) => parseMoney(text, options.decimal, currency));
  const rate = money(keys.rate);
  const amount = money(keys.amount);
  const result: Money = {};
  if (rate !== undefined && !(rate === 0 && options.billable === false)) result.hourlyRate = rate;
  if (amount !== undefined) result.amount = amount;
  if (currency && (result.hourlyRate !== undefined || result.amount !== undefined))
    result.currency = currency;
  return result;
}
