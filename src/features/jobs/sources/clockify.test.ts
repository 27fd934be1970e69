import { describe, expect, it } from "vitest";
import { readSource } from "./index.js";
import { entriesOf, errorsOf, fixture, shown, thrownBy } from "./test-fixtures.js";

describe("Clockify detailed report, 12-hour times and MM/DD/YYYY, America/New_York", () => {
  const file = readSource("clockify", fixture("clockify-detailed-12h-new-york.csv"), {
    timeZone: "America/New_York",
  });
  const entries = entriesOf(file).map(shown);

  it("detects the account's date format from a day past the 12th", () => {
    expect(file.dateFormat).toBe("MM/DD/YYYY");
  });

  it("reads a row whole across the spring change: 11:30 PM EST to 3:30 AM EDT is three hours", () => {
    expect(entries[0]).toEqual({
      row: 2,
      person: { email: "carla@example.com", name: "Carla Diaz" },
      client: "Globex",
      project: "Mobile app",
      task: "Development",
      tags: ["release", "on-call"],
      description: "Release night across the spring change",
      start: "2024-03-10T04:30:00.000Z",
      end: "2024-03-10T07:30:00.000Z",
      billable: true,
      hourlyRate: 8500,
      amount: 25500,
      currency: "USD",
    });
  });

  it("settles the autumn fold with Duration (h): 1:30 AM EDT to 1:15 AM EST, 1:10 AM EDT to 1:40 AM EST", () => {
    expect(entries[1]).toMatchObject({ start: "2024-11-03T05:30:00.000Z", end: "2024-11-03T06:15:00.000Z" });
    // Without its 01:30:00 duration, this row would read as the half hour 1:10 to 1:40 AM EDT.
    expect(entries[4]).toMatchObject({
      row: 7,
      start: "2024-11-03T05:10:00.000Z",
      end: "2024-11-03T06:40:00.000Z",
    });
  });

  it("reads 12 PM as noon and 12 AM as midnight, and thousands separators in rates", () => {
    expect(entries[2]).toMatchObject({
      start: "2024-03-15T16:00:00.000Z",
      end: "2024-03-15T16:45:00.000Z",
      hourlyRate: 125000,
      amount: 93750,
    });
    expect(entries[3]).toMatchObject({ start: "2024-03-15T04:15:00.000Z", end: "2024-03-15T04:45:00.000Z" });
  });

  it("leaves out the zero rate of a non-billable row, keeping its amount", () => {
    expect(entries[3]).toMatchObject({ billable: false, amount: 0, currency: "USD" });
    expect(entries[3]).not.toHaveProperty("hourlyRate");
    expect(entries[3]).not.toHaveProperty("client");
  });

  it("refuses an hour that is not on a 12-hour clock, naming the column", () => {
    expect(errorsOf(file)).toEqual([
      {
        row: 6,
        field: "Start Time",
        reason: "invalid_time",
        message: 'Start Time: "13:30:00 PM" is not a time of day',
      },
    ]);
  });
});

describe("Clockify detailed report, 24-hour times, DD.MM.YYYY and a decimal comma, Europe/Berlin", () => {
  const file = readSource("clockify", fixture("clockify-detailed-24h-berlin.csv"), {
    timeZone: "Europe/Berlin",
  });
  const entries = entriesOf(file).map(shown);

  it("reads HH:MM times and comma-decimal money across the spring change", () => {
    expect(file.dateFormat).toBe("DD.MM.YYYY");
    expect(entries[0]).toEqual({
      row: 2,
      person: { email: "dieter@example.com", name: "Dieter Braun" },
      client: "Acme GmbH",
      project: "Relaunch",
      task: "Ops",
      tags: ["ops"],
      description: "Night deploy",
      start: "2024-03-31T00:30:00.000Z",
      end: "2024-03-31T01:30:00.000Z",
      billable: true,
      hourlyRate: 9500,
      amount: 9500,
      currency: "EUR",
    });
    expect(entries[1]).toMatchObject({
      start: "2024-04-15T11:05:00.000Z",
      end: "2024-04-15T12:35:30.000Z",
      hourlyRate: 120000,
      amount: 181000,
    });
  });

  it("refuses a decimal point in a decimal-comma file rather than reading 1.5 as fifteen", () => {
    expect(errorsOf(file)).toEqual([
      {
        row: 4,
        field: "Billable Rate (EUR)",
        reason: "invalid_number",
        message: 'Billable Rate (EUR): "1.5" is not a number (decimal separator ",")',
      },
    ]);
  });
});

describe("Clockify dates that read both ways", () => {
  const csv = fixture("clockify-detailed-ambiguous-dates.csv");

  it("are a file error naming both formats when no date_format is given", () => {
    const error = thrownBy(() => readSource("clockify", csv, { timeZone: "Europe/London" }));
    expect(error.details).toEqual({
      field: "params.csv",
      reason: "ambiguous_date_format",
      formats: ["MM/DD/YYYY", "DD/MM/YYYY"],
    });
    expect(error.message).toBe(
      "The dates (such as 03/04/2024) read as MM/DD/YYYY or DD/MM/YYYY: say which with date_format",
    );
  });

  it("are read in the format the caller names", () => {
    const file = readSource("clockify", csv, { timeZone: "Europe/London", dateFormat: "DD/MM/YYYY" });
    expect(file.dateFormat).toBe("DD/MM/YYYY");
    expect(entriesOf(file).map(shown)).toMatchObject([
      { start: "2024-04-03T08:00:00.000Z", hourlyRate: 7000, currency: "GBP" },
      { start: "2024-04-05T13:00:00.000Z" },
    ]);
    const american = readSource("clockify", csv, { timeZone: "Europe/London", dateFormat: "MM/DD/YYYY" });
    expect(entriesOf(american).map(shown)).toMatchObject([
      { start: "2024-03-04T09:00:00.000Z" },
      { start: "2024-05-04T13:00:00.000Z" },
    ]);
  });
});
