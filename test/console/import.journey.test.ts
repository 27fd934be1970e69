/**
 * The console's Import screen in Chromium against a real server (issue 16.6): a Toggl Track
 * Detailed export checked (a dry run), imported with a progress bar, seen on the Time screen, and
 * imported again to no effect; another product's file refused in words at the file field; axe-core
 * at desktop width (light) and 375 px (dark). Skipped, saying why, without Debian's chromium.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHROMIUM,
  checkBuiltConsole,
  launchChromium,
  problemsOnScreen,
  screenshot,
  startConsoleServer,
  tabTo,
  watchForErrors,
} from "./harness.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../src/features/jobs/sources/fixtures");
/** A fixture's header row as the product wrote it (Toggl's starts with a byte-order mark). */
const headerOf = (file: string) =>
  readFileSync(path.join(FIXTURES, file), "utf8").split(/\r?\n/)[0] as string;

// Today, so that the entries show in the Time screen's week (the browser and the organization are in UTC).
const today = new Date().toISOString().slice(0, 10);
const email = `ada-${Date.now()}@example.com`;
const TOGGL = [
  headerOf("toggl-detailed-berlin.csv"),
  `Ada Lovelace,${email},Northwind,Brand refresh,Logo,"Logo sketches, round 2 🎨",Yes,${today},00:00:00,${today},00:30:00,00:30:00,"design, release",50.00`,
  `Ada Lovelace,${email.toUpperCase()},Northwind,Brand refresh,,Launch checklist,Yes,${today},00:30:00,${today},00:45:00,00:15:00,design,25.00`,
  `Grace Hopper,grace@example.com,,Internal admin,,Expenses,No,${today},00:45:00,${today},01:00:00,00:15:00,,0.00`,
  "",
].join("\r\n");
const CLOCKIFY = [
  headerOf("clockify-detailed-24h-berlin.csv"),
  `Relaunch,Acme GmbH,Night deploy,Ops,Ada Lovelace,,${email},ops,Yes,${today},01:30,${today},03:30,02:00:00,"2,00","95,00","190,00"`,
  "",
].join("\n");

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`import journey skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!hasChromium)("the console's Import screen in Chromium", { timeout: 90_000 }, () => {
  let server: { baseUrl: string; stop(): Promise<void> };
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    checkBuiltConsole();
    [server, browser] = await Promise.all([startConsoleServer(), launchChromium()]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: "UTC" });
    page = await context.newPage();
    errors = watchForErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    expect(errors).toEqual([]);
  });

  const openImport = async () => {
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Import" }).click();
    await page.getByRole("heading", { level: 1, name: "Import" }).waitFor();
    await page.getByRole("button", { name: "Check file" }).waitFor();
  };
  const chooseFile = (name: string, text: string) =>
    page.getByLabel("CSV file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
  const counts = async (): Promise<Record<string, string>> => {
    const list = page.getByRole("definition");
    const terms = await page.getByRole("term").allTextContents();
    const values = await list.allTextContents();
    return Object.fromEntries(terms.map((term, i) => [term, values[i] as string]));
  };

  it("signs up and finds the Import screen, which says what to do", async () => {
    await page.goto(`${server.baseUrl}/sign-up`);
    await page.getByLabel("Your name").fill("Ada Lovelace");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByLabel("Organization name").fill("Analytical Engines");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { level: 1, name: "Time" }).waitFor();

    await openImport();
    await page.getByText(/Export your time from the other product as CSV/).waitFor();
    expect(await page.getByLabel("Exported from").inputValue()).toBe("toggl");
    await page.getByText("Reports → Detailed → export (↓) → Download CSV").waitFor();
    await page.getByText(/Up to 32 MB/).waitFor();
    // The organization's zone by default (a new organization's is UTC).
    expect(await page.getByLabel("Time zone of the file").inputValue()).toBe("UTC");
  });

  it("checks a Toggl file: the unknown person's row reported, then the counts once imported as mine", async () => {
    await chooseFile("TogglTrack_Report_Detailed.csv", TOGGL);
    await page.getByRole("button", { name: "Check file" }).click();
    await page.getByRole("heading", { name: "What importing this file would do" }).waitFor();
    const errorList = page.getByRole("list", { name: "Rows with errors" });
    await expect
      .poll(() => errorList.textContent())
      .toMatch(/Row 4 \(person\): No active member with e-mail grace@example.com/);
    await page.getByText(/With “All or nothing”, importing it now would import nothing/).waitFor();
    await page.getByText(/invite them under Members first, or choose “Import their time as mine”/).waitFor();

    // Importing it as it is: all or nothing, so the job fails and writes nothing.
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByRole("heading", { name: "Nothing imported" }).waitFor({ timeout: 20_000 });
    await page
      .getByRole("status")
      .filter({ hasText: /^Import failed: 1 of 3 rows failed/ })
      .waitFor();
    await page.getByText(/1 of them has an error and “All or nothing” was ticked/).waitFor();

    await page.getByRole("radio", { name: "Import their time as mine" }).check();
    // The form's change resets the import (react-query tells its observers a tick later).
    await expect.poll(() => page.getByRole("heading", { name: "Nothing imported" }).count()).toBe(0);
    await page.getByRole("button", { name: "Check file" }).click();
    await page.getByText(/Nothing has been written yet/).waitFor();
    expect(await counts()).toEqual({
      Entries: "3",
      Clients: "1",
      Projects: "2",
      Tasks: "1",
      Tags: "2",
      "Already imported": "0",
      "Rows with errors": "0",
    });
    expect(await page.getByRole("list", { name: "Rows with errors" }).count()).toBe(0);
    await screenshot(page, "import-01-checked");
  });

  it("imports with a progress bar, shows the summary, and the entries are on the Time screen", async () => {
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByRole("heading", { name: "Imported", exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.getByLabel("Import progress").getAttribute("value")).toBe("100");
    await page.getByRole("status").filter({ hasText: "Import finished (100%)." }).waitFor();
    expect((await counts()).Entries).toBe("3");
    await screenshot(page, "import-02-imported");

    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Time" }).click();
    await page.getByRole("heading", { level: 1, name: "Time" }).waitFor();
    const descriptions = () =>
      page
        .getByRole("textbox", { name: "Description" })
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    await expect
      .poll(descriptions)
      .toEqual(expect.arrayContaining(["Logo sketches, round 2 🎨", "Launch checklist", "Expenses"]));
  });

  it("imports the same file again, by keyboard, and creates nothing new", async () => {
    await openImport();
    await chooseFile("TogglTrack_Report_Detailed.csv", TOGGL);
    // Past the file (a browser's file dialog is out of a test's reach), by keyboard alone.
    await page.getByLabel("CSV file").focus();
    await tabTo(page, "Report them as errors");
    await page.keyboard.press("ArrowDown");
    expect(await page.getByRole("radio", { name: "Import their time as mine" }).isChecked()).toBe(true);
    await tabTo(page, "Import");
    await page.keyboard.press("Enter");
    await page.getByText(/Nothing new: the 3 rows already imported were left as they are/).waitFor({
      timeout: 20_000,
    });
    expect(await counts()).toMatchObject({
      Entries: "0",
      Clients: "0",
      Projects: "0",
      "Already imported": "3",
    });
    await screenshot(page, "import-03-again");
  });

  it("says in words, at the file, that a Clockify file is not a Toggl export, a time zone unknown, a file too big", async () => {
    await chooseFile("Clockify_Time_Report_Detailed.csv", CLOCKIFY);
    // Choosing a file clears the last run's answer.
    await expect.poll(() => page.getByRole("heading", { name: "Imported", exact: true }).count()).toBe(0);
    await page.getByRole("button", { name: "Check file" }).click();
    const file = page.getByLabel("CSV file");
    await expect.poll(() => file.getAttribute("aria-invalid")).toBe("true");
    const described = await file.evaluate((el) =>
      (el.getAttribute("aria-describedby") ?? "")
        .split(" ")
        .map((id) => document.getElementById(id)?.textContent)
        .join(" "),
    );
    expect(described).toContain(
      "This file looks like a Clockify export: choose “Clockify” under “Exported from”",
    );
    expect(await page.getByRole("progressbar").count()).toBe(0);
    await screenshot(page, "import-04-wrong-product");

    // A time zone the API does not know, at its own field.
    await chooseFile("TogglTrack_Report_Detailed.csv", TOGGL);
    await page.getByLabel("Time zone of the file").fill("Mars/Olympus_Mons");
    await page.getByRole("button", { name: "Check file" }).click();
    const zone = page.getByLabel("Time zone of the file");
    await expect.poll(() => zone.getAttribute("aria-invalid")).toBe("true");
    expect(await file.getAttribute("aria-invalid")).toBeNull();
    await zone.fill("UTC");

    // Over the API's limit: refused in the browser, before anything is sent.
    // Made in the page: sending 33 MB through DevTools would take the test most of its time.
    await file.evaluate((input: HTMLInputElement) => {
      const files = new DataTransfer();
      files.items.add(new File([new Uint8Array(33 * 1_048_576)], "too-big.csv", { type: "text/csv" }));
      input.files = files.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await page.getByRole("button", { name: "Check file" }).click();
    await expect
      .poll(() => file.evaluate((el) => el.parentElement?.querySelector(".error")?.textContent))
      .toBe(
        "The file is 33.0 MB; an import takes up to 32 MB. Export a shorter period and import it in parts.",
      );
  });

  it("passes axe-core at desktop width and at 375 px in dark mode, without sideways scrolling", async () => {
    const report: string[] = [];
    for (const [viewport, scheme] of [
      [{ width: 1280, height: 860 }, "light"],
      [{ width: 375, height: 812 }, "dark"],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${server.baseUrl}/import`);
      await openImport();
      // The screen with a check's answer and its row errors on show.
      await chooseFile(
        "TogglTrack_Report_Detailed.csv",
        TOGGL.replace(email.toUpperCase(), "nobody@example.com"),
      );
      await page.getByRole("button", { name: "Check file" }).click();
      await page.getByRole("list", { name: "Rows with errors" }).waitFor({ timeout: 20_000 });
      report.push(...(await problemsOnScreen(page, `/import at ${viewport.width}px ${scheme}`)));
    }
    await screenshot(page, "import-05-phone-dark");
    expect(report).toEqual([]);
  });
});
