import { describe, expect, it } from "vitest";
import { rfc3339 } from "./time.js";

/** What rfc3339 must always equal: toISOString without the milliseconds. */
const reference = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

describe("rfc3339", () => {
  it("formats as toISOString does, without fractional seconds, across days, years and edges", () => {
    const edges = [
      0,
      -1,
      1,
      999,
      1000,
      86_399_999,
      86_400_000,
      -86_400_000,
      -86_400_001,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 0, 1),
      Date.UTC(1969, 11, 31, 23, 59, 59),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      new Date("0000-01-01T00:00:00Z").getTime(),
      new Date("-000001-06-01T12:00:00Z").getTime(),
      8.64e15,
      -8.64e15,
    ];
    for (const ms of edges) expect(rfc3339(new Date(ms))).toBe(reference(new Date(ms)));
    // Pseudo-random instants over ±300 years, each formatted twice (the second from the day cache).
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 20_000; i++) {
      const date = new Date(Math.round((next() * 2 - 1) * 300 * 365.25 * 86_400_000));
      expect(rfc3339(date)).toBe(reference(date));
      expect(rfc3339(date)).toBe(reference(date));
    }
  });

  it("reads a string first, as the API's inputs arrive", () => {
    expect(rfc3339("2024-03-05T07:08:09.123+02:00")).toBe("2024-03-05T05:08:09Z");
  });

  it("stays right after its day cache is cleared", () => {
    for (let day = 0; day < 10_050; day++) {
      const date = new Date(day * 86_400_000 + 3_723_000);
      expect(rfc3339(date)).toBe(reference(date));
    }
  });
});
