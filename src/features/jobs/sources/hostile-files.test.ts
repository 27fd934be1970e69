import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { CSV_COLUMNS } from "../export.js";
import { detectSource, type ForeignSource, readSource } from "./index.js";
import { entriesOf, errorsOf, fixture, thrownBy } from "./test-fixtures.js";

const TOGGL_HEADER =
  "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags";
const TOGGL_ROW = "Anna,anna@example.com,,Web,,Work,Yes,2024-05-02,09:00:00,2024-05-02,10:00:00,01:00:00,";
const utc = { timeZone: "UTC" };

/** `size` characters of `alphabet`, the same on every run. */
function noise(size: number, alphabet: string): string {
  const chars = Array.from(alphabet);
  const chunks: string[] = [];
  let state = 7;
  for (let done = 0; done < size; done += 65_536) {
    const chunk: string[] = [];
    for (let i = 0; i < Math.min(65_536, size - done); i++) {
      state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
      chunk.push(chars[(state >>> 16) % chars.length] as string);
    }
    chunks.push(chunk.join(""));
  }
  return chunks.join("");
}
const TEN_MB = 10 * 1024 * 1024;

describe("a header from another product", () => {
  it.each<[string, ForeignSource, string, string]>([
    ["clockify-detailed-12h-new-york.csv", "toggl", "clockify", "Clockify"],
    ["toggl-detailed-berlin.csv", "clockify", "toggl", "Toggl Track"],
    ["harvest-detailed-time-us.csv", "clockify", "harvest", "Harvest"],
    ["toggl-detailed-berlin.csv", "harvest", "toggl", "Toggl Track"],
  ])("%s read as %s is wrong_product, naming %s", (name, source, detected, label) => {
    const error = thrownBy(() => readSource(source, fixture(name), utc));
    expect(error.details).toEqual({ field: "params.csv", reason: "wrong_product", detected });
    expect(error.message).toMatch(
      new RegExp(`^This file looks like a ${label} export, not a .+ one: import it`),
    );
  });

  it("recognizes Voltasis's own export and each product's", () => {
    const voltasis = `${CSV_COLUMNS.join(",")}\n`;
    expect(thrownBy(() => readSource("harvest", voltasis, utc)).details).toMatchObject({
      detected: "voltasis",
    });
    expect(detectSource([...CSV_COLUMNS])).toBe("voltasis");
    expect(detectSource(TOGGL_HEADER.split(","))).toBe("toggl");
    expect(detectSource(["Issue key", "Summary", "Time Spent"])).toBeUndefined();
  });

  it("of an unknown product names the missing columns and says it is not the chosen export", () => {
    const error = thrownBy(() =>
      readSource("toggl", "Issue key,Summary,Time Spent,Started\nX-1,Fix,3600,2024\n", utc),
    );
    expect(error.details).toEqual({
      field: "params.csv",
      reason: "missing_column",
      column: "Start date",
      columns: ["Start date", "Start time", "End date", "End time"],
    });
    expect(error.message).toBe(
      'The header lacks the Toggl Track columns "Start date", "Start time", "End date", "End time"; ' +
        "this does not look like a Toggl Track export",
    );
  });
});

describe("headers of the right product", () => {
  it("match by name in any order and case, unknown columns ignored", () => {
    const csv =
      " END TIME ,start time,Description,Start Date,end date,Mood\n10:00:00,09:00:00,Hi,2024-05-02,2024-05-02,:)\n";
    const [row] = readSource("toggl", csv, utc).rows;
    expect(row).toMatchObject({
      ok: true,
      entry: { description: "Hi", end: new Date("2024-05-02T10:00:00Z") },
    });
  });

  it("lacking a required column name it", () => {
    const error = thrownBy(() => readSource("toggl", `${TOGGL_HEADER.replace(",End time", "")}\n`, utc));
    expect(error.details).toEqual({
      field: "params.csv",
      reason: "missing_column",
      column: "End time",
      columns: ["End time"],
    });
  });

  it("name a missing column as the product writes it", () => {
    const header =
      "Project,Client,Description,Task,User,Email,Tags,Billable,Start Date,Start Time,End Date,Duration (h)";
    const error = thrownBy(() => readSource("clockify", `${header}\n`, utc));
    expect(error.details).toMatchObject({ reason: "missing_column", columns: ["End Time"] });
    expect(error.message).toBe('The header lacks the Clockify column "End Time"');
  });

  it("with a column twice are refused", () => {
    const error = thrownBy(() => readSource("toggl", `${TOGGL_HEADER},Start Time\n`, utc));
    expect(error.details).toEqual({ field: "params.csv", reason: "duplicate_column", column: "Start Time" });
  });

  it.each([
    ["an empty file", ""],
    ["a BOM alone", "\uFEFF"],
    ["blank lines", "\r\n\r\n"],
  ])("are missing in %s", (_, csv) => {
    expect(thrownBy(() => readSource("harvest", csv, utc)).details).toEqual({
      field: "params.csv",
      reason: "missing_header",
    });
  });

  it("alone make a file of no rows", () => {
    expect(readSource("toggl", `${TOGGL_HEADER}\r\n`, utc).rows).toEqual([]);
  });
});

describe("cells and rows", () => {
  it("take semicolons as the delimiter when the header has them and no commas", () => {
    // The Harvest file as a spreadsheet in a comma-decimal locale saves it again: `;` between cells.
    const original = fixture("harvest-detailed-time-decimal-comma.csv");
    const resaved = stringify(parse(original, { bom: true }), {
      delimiter: ";",
      record_delimiter: "windows",
    });
    expect(resaved).toContain(";7,5;");
    const read = (csv: string) => readSource("harvest", csv, { timeZone: "Europe/Helsinki" }).rows;
    expect(read(resaved)).toEqual(read(original));
    const [row] = read('Date;Project;Notes;Hours\n26.10.2024;Site;"Call; then mail";7,5\n');
    expect(row).toMatchObject({ ok: true, entry: { description: "Call; then mail", project: "Site" } });
  });

  it("keep a stray quote inside an unquoted cell as text", () => {
    const csv = `${TOGGL_HEADER}\n${TOGGL_ROW.replace(",Work,", ',5" screen,')}\n`;
    expect(entriesOf(readSource("toggl", csv, utc))[0]?.description).toBe('5" screen');
  });

  it("report too many cells, and quote at most 40 characters of a bad cell", () => {
    const csv = `${TOGGL_HEADER}\n${TOGGL_ROW},extra\n${TOGGL_ROW.replace("2024-05-02", "9".repeat(5000))}\n`;
    const [tooMany, longDate] = errorsOf(readSource("toggl", csv, utc));
    expect(tooMany).toEqual({
      row: 2,
      field: "row",
      reason: "column_count",
      message: "The row has 14 cells; the header has 13",
    });
    expect(longDate).toEqual({
      row: 3,
      field: "Start date",
      reason: "invalid_date",
      message: `Start date: "${"9".repeat(40)}…" is not a date written YYYY-MM-DD`,
    });
  });

  it("past the row limit refuse the file", () => {
    const csv = `${TOGGL_HEADER}\n${TOGGL_ROW}\n${TOGGL_ROW}\n${TOGGL_ROW}\n`;
    expect(readSource("toggl", csv, { ...utc, maxRows: 3 }).rows).toHaveLength(3);
    expect(thrownBy(() => readSource("toggl", csv, { ...utc, maxRows: 2 })).details).toEqual({
      field: "params.csv",
      reason: "too_many_rows",
      limit: 2,
    });
  });

  it("up to 64 KiB are read, even one that the header's first 64 KiB end inside of", () => {
    const long = TOGGL_ROW.replace(",Work,", `,"${"x".repeat(65_400)}",`);
    const rows = readSource("toggl", `${TOGGL_HEADER}\n${long}\n${TOGGL_ROW}\n`, utc).rows;
    expect(rows.map((row) => row.ok)).toEqual([true, true]);
  });

  it("longer than 64 KiB refuse the file", () => {
    const csv = `${TOGGL_HEADER}\n${TOGGL_ROW.replace(",Work,", `,${"a".repeat(70_000)},`)}\n`;
    expect(thrownBy(() => readSource("toggl", csv, utc)).details).toMatchObject({ reason: "invalid_csv" });
  });
});

describe("10 MB of garbage", () => {
  it("without line breaks is invalid_csv", () => {
    const error = thrownBy(() => readSource("toggl", noise(TEN_MB, "abcXYZ019 ;:!?€🎉"), utc));
    expect(error.details).toEqual({ field: "params.csv", reason: "invalid_csv" });
    expect(error.message).toBe("The CSV cannot be read: its first 64 KiB hold no line break");
  });

  it("with line breaks, commas and quotes fails on its header", () => {
    const error = thrownBy(() => readSource("clockify", noise(TEN_MB, 'abcxyz",\n '), utc));
    expect(error.details).toMatchObject({ field: "params.csv", reason: "missing_column" });
    expect(error.message).toMatch(/this does not look like a Clockify export$/);
  });

  it("under a real header is one error per row, or too many rows", () => {
    // Reading garbage is linear in its size: one megabyte (some 17,000 rows) shows that every row
    // is its own error; the whole ten megabytes are refused as too many rows before being read.
    const sixtyCharLines = `${"abcdefghijklmnopqrstuvwxyz".repeat(2)} ,;:-.\t\n`;
    const garbage = `${TOGGL_HEADER}\n${noise(TEN_MB / 10, sixtyCharLines)}`;
    const lines = readSource("toggl", garbage, utc);
    expect(lines.rows.length).toBeGreaterThan(15_000);
    expect(lines.rows.every((row) => !row.ok)).toBe(true);
    const quoted = thrownBy(() => readSource("toggl", `${TOGGL_HEADER}\n${noise(TEN_MB, 'ab",\n ')}`, utc));
    expect(quoted.details).toMatchObject({ reason: "too_many_rows" });
  });
});

describe("options", () => {
  it("refuse an unknown time zone or date format", () => {
    expect(thrownBy(() => readSource("toggl", TOGGL_HEADER, { timeZone: "Mars/Olympus" })).details).toEqual({
      field: "params.timezone",
      reason: "invalid_timezone",
    });
    const format = "YYYY/DD/MM" as never;
    expect(thrownBy(() => readSource("toggl", TOGGL_HEADER, { ...utc, dateFormat: format })).details).toEqual(
      {
        field: "params.date_format",
        reason: "invalid_value",
      },
    );
  });
});

describe("fingerprints", () => {
  const csv = `${TOGGL_HEADER}\n${TOGGL_ROW}\n`;
  const printOf = (text: string, timeZone = "UTC") =>
    entriesOf(readSource("toggl", text, { timeZone }))[0]?.fingerprint;

  it("depend on the row's content, not on the time zone it is read in", () => {
    expect(printOf(csv, "Asia/Tokyo")).toBe(printOf(csv));
    expect(printOf(csv.replace(",Work,", ",Rest,"))).not.toBe(printOf(csv));
    expect(printOf(csv.replace("anna@example.com", "ANNA@example.com"))).toBe(printOf(csv));
  });

  it("differ between products for the same content", () => {
    const clockify =
      "Description,Start Date,Start Time,End Date,End Time,Duration (h)\nWork,2024-05-02,09:00:00,2024-05-02,10:00:00,01:00:00\n";
    const toggl =
      "Description,Start date,Start time,End date,End time,Duration\nWork,2024-05-02,09:00:00,2024-05-02,10:00:00,01:00:00\n";
    const [a] = entriesOf(readSource("clockify", clockify, utc));
    const [b] = entriesOf(readSource("toggl", toggl, utc));
    expect(a?.start).toEqual(b?.start);
    expect(a?.fingerprint).not.toBe(b?.fingerprint);
  });
});
