import { describe, expect, it } from "vitest";
import { BadValue } from "./cell-problems.js";
import { type DateFormat, detectDateFormat, parseDate, parseTime } from "./dates.js";

describe("dates", () => {
  it.each<[string, DateFormat, [number, number, number]]>([
    ["2024-03-04", "YYYY-MM-DD", [2024, 3, 4]],
    ["03/04/2024", "MM/DD/YYYY", [2024, 3, 4]],
    ["03/04/2024", "DD/MM/YYYY", [2024, 4, 3]],
    ["4.3.2024", "DD.MM.YYYY", [2024, 3, 4]],
    ["03-04-2024", "MM-DD-YYYY", [2024, 3, 4]],
    ["03-04-2024", "DD-MM-YYYY", [2024, 4, 3]],
    ["2024-02-29", "YYYY-MM-DD", [2024, 2, 29]],
  ])("%s written %s is %j", (text, format, [year, month, day]) => {
    expect(parseDate(text, format)).toEqual({ year, month, day });
  });

  it.each<[string, DateFormat]>([
    ["2023-02-29", "YYYY-MM-DD"],
    ["13/01/2024", "MM/DD/YYYY"],
    ["2024-03-04", "DD.MM.YYYY"],
    ["0024-03-04", "YYYY-MM-DD"],
    ["2024-03-04 09:00", "YYYY-MM-DD"],
    ["", "YYYY-MM-DD"],
  ])("%j is no date written %s", (text, format) => {
    expect(() => parseDate(text, format)).toThrow(BadValue);
  });

  it("are detected from the cells that only one format reads, ignoring unreadable ones", () => {
    expect(detectDateFormat(["03/04/2024", "03/15/2024", "garbage"])).toEqual({ format: "MM/DD/YYYY" });
    expect(detectDateFormat(["03/04/2024", "15/03/2024"])).toEqual({ format: "DD/MM/YYYY" });
    expect(detectDateFormat(["04.03.2024", ""])).toEqual({ format: "DD.MM.YYYY" });
    expect(detectDateFormat(["not a date"])).toEqual({ format: "YYYY-MM-DD" });
    // Mixed files follow their majority; the minority's rows are reported one by one.
    expect(detectDateFormat(["2024-03-04", "2024-03-05", "04.03.2024"])).toEqual({ format: "YYYY-MM-DD" });
  });

  it("that read both ways are ambiguous, with an example", () => {
    expect(detectDateFormat(["03/04/2024", "05/06/2024"])).toEqual({
      ambiguous: ["MM/DD/YYYY", "DD/MM/YYYY"],
      example: "03/04/2024",
    });
  });
});

describe("times of day", () => {
  it.each([
    ["23:01", [23, 1, 0]],
    ["23:01:05", [23, 1, 5]],
    ["7:05", [7, 5, 0]],
    ["11:23:01 AM", [11, 23, 1]],
    ["11:23:01 PM", [23, 23, 1]],
    ["12:00:00 AM", [0, 0, 0]],
    ["12:30 PM", [12, 30, 0]],
    ["9:00am", [9, 0, 0]],
    ["9:00 p.m.", [21, 0, 0]],
  ])("%s is %j", (text, [hour, minute, second]) => {
    expect(parseTime(text)).toEqual({ hour, minute, second });
  });

  it.each(["24:00", "13:00 PM", "0:30 AM", "12:60", "9", "09:00:00.5", "noon"])("%s is no time", (text) => {
    expect(() => parseTime(text)).toThrow(BadValue);
  });
});
