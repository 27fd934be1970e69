import { describe, expect, it } from "vitest";
import { readSource } from "./index.js";
import { entriesOf, errorsOf, fixture, shown } from "./test-fixtures.js";

// A Toggl Track Detailed report of a user whose profile zone is Europe/Berlin: BOM, CRLF, a blank
// line, a two-line description, both DST changes of 2024, a formula and a duplicated row.
const file = readSource("toggl", fixture("toggl-detailed-berlin.csv"), { timeZone: "Europe/Berlin" });
const byRow = new Map(entriesOf(file).map((entry) => [entry.row, entry]));
const at = (row: number) => {
  const entry = byRow.get(row);
  if (!entry) throw new Error(`row ${row} was not read`);
  return entry;
};
const anna = { email: "anna@example.com", name: "Anna Schmidt" };

describe("Toggl Track detailed report", () => {
  it("reads a row whole: names, tags, quotes and emoji, Berlin time to UTC, the amount in cents", () => {
    expect(file.dateFormat).toBe("YYYY-MM-DD");
    expect(shown(at(2))).toEqual({
      row: 2,
      person: anna,
      client: "Acme GmbH",
      project: "Website relaunch",
      task: "Design",
      tags: ["design", "client-call"],
      description: 'Homepage, hero "v2" 🎨',
      start: "2024-03-28T08:00:00.000Z",
      end: "2024-03-28T09:30:00.000Z",
      billable: true,
      amount: 14250,
      currency: "EUR",
    });
  });

  it("skips the blank line yet numbers rows as a spreadsheet does, a two-line cell being one row", () => {
    expect([...byRow.keys()]).toEqual([2, 3, 5, 6, 7, 8, 9, 10]);
    expect(at(5)).toMatchObject({
      person: { email: "BEN@example.com", name: "Ben Okafor" },
      description: "Standup\r\nnotes, two lines",
      billable: false,
      start: new Date("2024-04-02T07:15:00Z"),
      amount: 0,
    });
  });

  it("counts real time across the spring change: 01:30 CET to 03:30 CEST is one hour", () => {
    expect(shown(at(3))).toMatchObject({
      start: "2024-03-31T00:30:00.000Z",
      end: "2024-03-31T01:30:00.000Z",
    });
  });

  it("places times of the autumn fold by the exported duration, else on their first occurrence", () => {
    // 02:50 of the first pass (CEST) to 02:10 of the second (CET) is the exported 20 minutes.
    expect(shown(at(6))).toMatchObject({
      start: "2024-10-27T00:50:00.000Z",
      end: "2024-10-27T01:10:00.000Z",
    });
    // 02:10 to 02:40 fits both passes: the first is taken.
    expect(shown(at(7))).toMatchObject({
      start: "2024-10-27T00:10:00.000Z",
      end: "2024-10-27T00:40:00.000Z",
    });
  });

  it("keeps formula-like cells verbatim as data, and entries past midnight", () => {
    expect(at(8)).toMatchObject({
      project: "+Ops",
      description: '=HYPERLINK("http://example.invalid","click")',
      tags: ["@risk"],
    });
    expect(at(8)).not.toHaveProperty("amount");
    expect(shown(at(9))).toMatchObject({
      description: "- fixed the login form",
      start: "2024-04-03T21:30:00.000Z",
      end: "2024-04-03T22:45:00.000Z",
    });
  });

  it("gives identical rows distinct fingerprints, and the same ones on a second reading", () => {
    expect(shown(at(10))).toEqual({ ...shown(at(2)), row: 10 });
    expect(at(10).fingerprint).not.toBe(at(2).fingerprint);
    const fingerprints = entriesOf(file).map((entry) => entry.fingerprint);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect(fingerprints.every((print) => /^[0-9a-f]{64}$/.test(print))).toBe(true);
    const again = readSource("toggl", fixture("toggl-detailed-berlin.csv"), { timeZone: "Europe/Berlin" });
    expect(entriesOf(again).map((entry) => entry.fingerprint)).toEqual(fingerprints);
  });

  it("reports each bad row with its column, and no other", () => {
    expect(errorsOf(file)).toEqual([
      {
        row: 11,
        field: "End time",
        reason: "before_start",
        message: "The entry ends (2024-04-02 10:00:00) before it starts (2024-04-02 11:00:00)",
      },
      {
        row: 12,
        field: "Start date",
        reason: "invalid_date",
        message: 'Start date: "2024-02-30" is not a date written YYYY-MM-DD',
      },
      { row: 13, field: "row", reason: "column_count", message: "The row has 4 cells; the header has 14" },
      {
        row: 14,
        field: "Billable",
        reason: "invalid_boolean",
        message: 'Billable: "Maybe" is neither Yes nor No',
      },
    ]);
  });
});
