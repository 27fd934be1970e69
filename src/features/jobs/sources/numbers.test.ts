import { describe, expect, it } from "vitest";
import { BadValue } from "./cell-problems.js";
import {
  currencyDigits,
  detectDecimalSeparator,
  parseDecimal,
  parseDuration,
  toMinorUnits,
} from "./numbers.js";

describe("decimal numbers", () => {
  it.each([
    ["20,0", ",", "20.0"],
    ["2.000,0", ",", "2000.0"],
    ["1 234,50", ",", "1234.50"],
    ["1\u00a0234,50", ",", "1234.50"],
    ["1,234.50", ".", "1234.50"],
    ["1'234.50", ".", "1234.50"],
    ["1,234,567", ".", "1234567"],
    [" 95.00 ", ".", "95.00"],
    ["7", ",", "7"],
  ] as const)("%j with decimal %j is %s", (text, decimal, plain) => {
    expect(parseDecimal(text, decimal)).toBe(plain);
  });

  it.each([
    ["1.5", ","],
    ["1,5", "."],
    ["12,34.5", "."],
    ["1.2.3", "."],
    ["-5", "."],
    ["", "."],
    ["1e3", "."],
    ["$95", "."],
  ] as const)("%j with decimal %j is no number", (text, decimal) => {
    expect(() => parseDecimal(text, decimal)).toThrow(BadValue);
  });

  it("take the file's decimal separator from the cells that show it", () => {
    expect(detectDecimalSeparator(["7,5", "1,234"])).toBe(",");
    expect(detectDecimalSeparator(["2.000,0"])).toBe(",");
    expect(detectDecimalSeparator(["1,234.50", "1,234"])).toBe(".");
    expect(detectDecimalSeparator(["1.234.567"])).toBe(",");
    expect(detectDecimalSeparator(["1,234", "", "7"])).toBe(".");
    expect(detectDecimalSeparator(["7,5", "8,25", "1.5"])).toBe(",");
  });

  it("become exact minor units, half up", () => {
    expect(toMinorUnits("95.00", 2)).toBe(9500);
    expect(toMinorUnits("0.29", 2)).toBe(29);
    expect(toMinorUnits("1.005", 2)).toBe(101);
    expect(toMinorUnits("1.004", 2)).toBe(100);
    expect(toMinorUnits("1234", 2)).toBe(123400);
    expect(toMinorUnits("1500.5", 0)).toBe(1501);
    expect(toMinorUnits("1.2345", 3)).toBe(1235);
  });

  it("use each currency's own minor unit", () => {
    expect([
      currencyDigits("EUR"),
      currencyDigits("JPY"),
      currencyDigits("KWD"),
      currencyDigits(undefined),
    ]).toEqual([2, 0, 3, 2]);
  });
});

describe("durations", () => {
  it.each([
    ["01:30:00", 5400],
    ["25:00:00", 90_000],
    ["1:30", 5400],
    ["0:00:07", 7],
    ["1.5", 5400],
    ["0.25", 900],
  ])("%s is %i seconds", (text, seconds) => {
    expect(parseDuration(text, ".")).toBe(seconds);
  });

  it("read decimal commas", () => {
    expect(parseDuration("7,5", ",")).toBe(27_000);
  });

  it.each(["1:60", "1:30:60", "-1", "1h30", "::"])("%j is no duration", (text) => {
    expect(() => parseDuration(text, ".")).toThrow(BadValue);
  });
});
