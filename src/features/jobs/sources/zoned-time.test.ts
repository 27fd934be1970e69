import { describe, expect, it } from "vitest";
import { instantsOf, spanBetween } from "./zoned-time.js";

const at = (zone: string, date: string, time: string) => {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute, second = 0] = time.split(":").map(Number) as [number, number, number?];
  return instantsOf({ year, month, day }, { hour, minute, second }, zone).map((ms) =>
    new Date(ms).toISOString(),
  );
};

describe("local time to UTC", () => {
  it.each([
    ["UTC", "2024-03-31", "02:30", ["2024-03-31T02:30:00.000Z"]],
    ["Europe/Berlin", "2024-01-15", "09:00", ["2024-01-15T08:00:00.000Z"]],
    ["Europe/Berlin", "2024-07-15", "09:00", ["2024-07-15T07:00:00.000Z"]],
    ["Asia/Kolkata", "2024-07-15", "09:00", ["2024-07-15T03:30:00.000Z"]],
    ["Pacific/Kiritimati", "2024-01-01", "00:00", ["2023-12-31T10:00:00.000Z"]],
    ["America/New_York", "2024-03-10", "01:59:59", ["2024-03-10T06:59:59.000Z"]],
    ["America/New_York", "2024-03-10", "03:00", ["2024-03-10T07:00:00.000Z"]],
  ])("in %s, %s %s is %j", (zone, date, time, instants) => {
    expect(at(zone, date, time)).toEqual(instants);
  });

  it.each([
    // Clocks jump 02:00 → 03:00: a skipped time lands as far past the change as it was meant to.
    ["Europe/Berlin", "2024-03-31", "02:30", "2024-03-31T01:30:00.000Z"],
    ["America/New_York", "2024-03-10", "02:30", "2024-03-10T07:30:00.000Z"],
    // Lord Howe moves by half an hour, 02:00 → 02:30: 02:15 is read as 02:45.
    ["Australia/Lord_Howe", "2024-10-06", "02:15", "2024-10-05T15:45:00.000Z"],
  ])("in %s, the skipped %s %s is read with the offset before the change", (zone, date, time, instant) => {
    expect(at(zone, date, time)).toEqual([instant]);
  });

  it.each([
    ["Europe/Berlin", "2024-10-27", "02:30", ["2024-10-27T00:30:00.000Z", "2024-10-27T01:30:00.000Z"]],
    ["America/New_York", "2024-11-03", "01:30", ["2024-11-03T05:30:00.000Z", "2024-11-03T06:30:00.000Z"]],
    ["Pacific/Auckland", "2024-04-07", "02:30", ["2024-04-06T13:30:00.000Z", "2024-04-06T14:30:00.000Z"]],
    ["Australia/Lord_Howe", "2024-04-07", "01:45", ["2024-04-06T14:45:00.000Z", "2024-04-06T15:15:00.000Z"]],
  ])("in %s, %s %s is shown twice in the autumn fold: %j", (zone, date, time, instants) => {
    expect(at(zone, date, time)).toEqual(instants);
  });
});

describe("an entry's span", () => {
  const [first, second] = [0, 3_600_000];
  const minutes = (n: number) => n * 60_000;

  it("takes the pair whose length is the exported duration", () => {
    expect(
      spanBetween(
        [first + minutes(50), second + minutes(50)],
        [first + minutes(10), second + minutes(10)],
        minutes(20),
      ),
    ).toEqual({
      start: new Date(first + minutes(50)),
      end: new Date(second + minutes(10)),
    });
    expect(spanBetween([first, second], [first + minutes(30), second + minutes(30)], minutes(90))).toEqual({
      start: new Date(first),
      end: new Date(second + minutes(30)),
    });
  });

  it("without a duration, or with one that fits no pair, takes the earliest pair that does not end first", () => {
    const pair = { start: new Date(first), end: new Date(first + minutes(30)) };
    expect(spanBetween([first, second], [first + minutes(30), second + minutes(30)])).toEqual(pair);
    expect(spanBetween([first, second], [first + minutes(30), second + minutes(30)], minutes(7))).toEqual(
      pair,
    );
    expect(spanBetween([first], [first])).toEqual({ start: new Date(first), end: new Date(first) });
  });

  it("is undefined when every pair ends before it starts", () => {
    expect(spanBetween([second], [first])).toBeUndefined();
  });
});
