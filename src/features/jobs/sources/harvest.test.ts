import { describe, expect, it } from "vitest";
import { readSource } from "./index.js";
import { entriesOf, errorsOf, fixture, shown } from "./test-fixtures.js";

describe("Harvest detailed time report, US account, America/New_York", () => {
  const file = readSource("harvest", fixture("harvest-detailed-time-us.csv"), {
    timeZone: "America/New_York",
  });
  const entries = entriesOf(file).map(shown);

  it("reads a row whole: hours from 09:00 local (EDT on the day of the spring change), rates in cents", () => {
    expect(entries[0]).toEqual({
      row: 2,
      person: { firstName: "Carla", lastName: "Diaz", name: "Carla Diaz" },
      client: "Globex",
      project: "Mobile app",
      projectCode: "GLX-7",
      task: "Development",
      tags: [],
      description: "Sunday of the spring change",
      start: "2024-03-10T13:00:00.000Z",
      end: "2024-03-10T15:30:00.000Z",
      billable: true,
      hourlyRate: 15000,
      amount: 37500,
      currency: "USD",
    });
  });

  it("starts a person's next hours-only row of the day where the previous one ended", () => {
    expect(entries.slice(1, 3)).toMatchObject([
      { row: 3, start: "2024-03-10T15:30:00.000Z", end: "2024-03-10T16:15:00.000Z" },
      { row: 4, start: "2024-03-10T16:15:00.000Z", end: "2024-03-10T16:30:00.000Z", billable: false },
    ]);
    // Another person's day starts at 09:00 of its own.
    expect(entries[3]).toMatchObject({
      row: 5,
      person: { name: "Frank Miller" },
      start: "2024-03-11T13:00:00.000Z",
      end: "2024-03-11T14:00:00.000Z",
    });
  });

  it("leaves out the zero rate of a non-billable row", () => {
    expect(entries[2]).not.toHaveProperty("hourlyRate");
    expect(entries[2]).toMatchObject({ amount: 0, currency: "USD" });
  });

  it("refuses negative hours, naming the column", () => {
    expect(errorsOf(file)).toEqual([
      {
        row: 6,
        field: "Hours",
        reason: "invalid_duration",
        message: 'Hours: "-1.0" is not a duration (HH:MM:SS or decimal hours)',
      },
    ]);
  });
});

describe("Harvest detailed time report with decimal commas and DD.MM.YYYY (BOM, CRLF), Europe/Helsinki", () => {
  const file = readSource("harvest", fixture("harvest-detailed-time-decimal-comma.csv"), {
    timeZone: "Europe/Helsinki",
  });
  const entries = entriesOf(file).map(shown);

  it('reads "7,5" hours, "95,00" rates and "2.000,0" amounts, in the file\'s currency', () => {
    expect(file.dateFormat).toBe("DD.MM.YYYY");
    expect(entries[0]).toEqual({
      row: 2,
      person: { firstName: "Esa-Matti", lastName: "Suuronen", name: "Esa-Matti Suuronen" },
      client: "Tuotekehitys",
      project: "Viestintä 2024",
      task: "Kehitys",
      tags: [],
      description: "ajax notifikaatio",
      start: "2024-10-26T06:00:00.000Z",
      end: "2024-10-26T13:30:00.000Z",
      billable: true,
      hourlyRate: 9500,
      amount: 71250,
      currency: "EUR",
    });
    // 09:00 EET, after that night's change; twenty hours later is the next day.
    expect(entries[1]).toMatchObject({
      start: "2024-10-27T07:00:00.000Z",
      end: "2024-10-28T03:00:00.000Z",
      hourlyRate: 10000,
      amount: 200000,
    });
  });

  it("refuses a decimal point among decimal commas", () => {
    expect(errorsOf(file)).toMatchObject([{ row: 4, field: "Hours", reason: "invalid_duration" }]);
  });
});

describe("Harvest rows with start and end times", () => {
  const file = readSource("harvest", fixture("harvest-with-timestamps.csv"), { timeZone: "Europe/Berlin" });

  it("uses them, 12-hour times included, settling the autumn fold with the hours", () => {
    expect(errorsOf(file)).toEqual([]);
    expect(entriesOf(file).map(shown)).toMatchObject([
      { row: 2, start: "2024-10-27T00:10:00.000Z", end: "2024-10-27T00:40:00.000Z", hourlyRate: 9500 },
      { row: 3, start: "2024-10-28T12:15:00.000Z", end: "2024-10-28T13:30:00.000Z" },
      // A start without an end lasts the row's hours.
      { row: 4, start: "2024-10-28T15:00:00.000Z", end: "2024-10-28T15:30:00.000Z" },
    ]);
  });
});
