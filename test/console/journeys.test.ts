/**
 * The console in Chromium against a real server (issue 13.5): the journeys a person takes, each
 * ending in a screenshot (.tmp/screenshots/), and axe-core on every screen at desktop width (light)
 * and at 375 px (dark). Skipped, saying why, where Debian's chromium is not installed (.ci/run
 * installs it).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonPost } from "../helpers/server-process.js";
import { type Receiver, startReceiver } from "../helpers/webhook-receiver.js";
import {
  CHROMIUM,
  checkBuiltConsole,
  initialJavaScriptGzip,
  launchChromium,
  screenProblems,
  screenshot,
  startConsoleServer,
  tabTo,
  watchForErrors,
} from "./harness.js";

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`console journeys skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const SCREENS = [
  "/time",
  "/projects",
  "/reports",
  "/api-keys",
  "/webhooks",
  "/members",
  "/logs",
  "/settings",
];
const HEADINGS = ["Time", "Projects", "Reports", "API keys", "Webhooks", "Members", "Logs", "Settings"];
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 375, height: 812 };

describe.skipIf(!hasChromium)("the console in Chromium", { timeout: 90_000 }, () => {
  let server: { baseUrl: string; stop(): Promise<void> };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let receiver: Receiver;
  const email = `ada-${Date.now()}@example.com`;

  beforeAll(async () => {
    checkBuiltConsole();
    [server, browser, receiver] = await Promise.all([
      startConsoleServer(),
      launchChromium(),
      startReceiver(),
    ]);
    context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    page = await context.newPage();
    errors = watchForErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([server?.stop(), receiver?.close()]);
    // Every journey ran under the console's CSP: a violation or a script error fails the run.
    expect(errors).toEqual([]);
  });

  const go = async (path: string, heading: string) => {
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: heading }).click();
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    expect(new URL(page.url()).pathname).toBe(path);
  };

  it("serves a small first screen that becomes interactive quickly (printed, not asserted)", async () => {
    const { bytes, files } = initialJavaScriptGzip();
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    const timing = await page.evaluate(() => {
      const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return { interactive: performance.now(), domContentLoaded: navigation.domContentLoadedEventEnd };
    });
    console.log(
      `console: initial JavaScript ${(bytes / 1000).toFixed(1)} kB gzip (${files.join(", ")}); ` +
        `first screen (Sign in) interactive after ${timing.interactive.toFixed(0)} ms ` +
        `(DOMContentLoaded ${timing.domContentLoaded.toFixed(0)} ms)`,
    );
    expect(bytes).toBeLessThan(250_000);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
  });

  it("signs up, and keeps no token where a script could read it", async () => {
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByRole("button", { name: "Sign up" }).click();
    // The API's own words, next to the field it names (details.field).
    await expect.poll(() => page.getByLabel("E-mail").getAttribute("aria-invalid")).toBe("true");
    await page.getByLabel("Your name").fill("Ada Lovelace");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByLabel("Organization name").fill("Analytical Engines");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { level: 1, name: "Time" }).waitFor();
    const stored = await page.evaluate(() => ({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookie: document.cookie,
    }));
    expect(stored.local + stored.session + stored.cookie).not.toMatch(/vlt_/);
    // A reload keeps the person signed in (the HttpOnly cookie), with the token in memory only.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Time" }).waitFor();
    await expect
      .poll(() => page.getByRole("combobox", { name: "Organization" }).inputValue())
      .toMatch(/^org_/);
    await screenshot(page, "01-signed-up");
  });

  it("starts a timer that ticks, stops it, and shows the entry in the week", async () => {
    await page.getByLabel("What are you working on?").fill("Writing the proposal");
    await page.getByRole("button", { name: "Start timer" }).click();
    const elapsed = page.getByRole("timer", { name: "Elapsed time" });
    await elapsed.waitFor();
    const first = await elapsed.textContent();
    await expect.poll(() => elapsed.textContent(), { timeout: 5_000 }).not.toBe(first);
    await page.getByRole("button", { name: "Stop timer" }).click();
    await page.getByRole("button", { name: "Start timer" }).waitFor();
    const entry = page
      .getByRole("listitem")
      .filter({ has: page.getByRole("textbox", { name: "Description" }) });
    await expect
      .poll(() => entry.first().getByRole("textbox", { name: "Description" }).inputValue())
      .toBe("Writing the proposal");
    await screenshot(page, "02-timer");
  });

  it("creates a project, tracks time on it and reports on it, with an export to download", async () => {
    await go("/projects", "Projects");
    await page.getByRole("button", { name: "Create project" }).click();
    await expect.poll(() => page.getByLabel("Project name").getAttribute("aria-invalid")).toBe("true");
    await page.getByLabel("Project name").fill("Website redesign");
    await page.getByLabel("Hourly rate").fill("120");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("cell", { name: "Website redesign", exact: true }).waitFor();

    await go("/time", "Time");
    await page.getByText("Add time without a timer").click();
    const add = page
      .getByRole("group")
      .or(page.locator("details"))
      .filter({ hasText: "Add time without a timer" });
    await add.getByLabel("From").fill("09:00");
    await add.getByLabel("To").fill("10:30");
    await add.getByLabel("Description").fill("Wireframes");
    await add.getByRole("combobox", { name: "Project" }).selectOption({ label: "Website redesign" });
    await page.getByRole("button", { name: "Add entry" }).click();
    await expect
      .poll(() =>
        page
          .getByRole("textbox", { name: "Description" })
          .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
      )
      .toContain("Wireframes");

    await go("/reports", "Reports");
    const summary = page.getByRole("region", { name: "Summary by project" });
    await summary.getByRole("cell", { name: "Website redesign", exact: true }).waitFor();
    const row = summary.getByRole("row").filter({ hasText: "Website redesign" });
    await expect.poll(() => row.textContent()).toContain("1.50 h");
    await expect.poll(() => row.textContent()).toMatch(/180\.00/);
    await page
      .getByRole("region", { name: "Detailed list" })
      .getByRole("cell", { name: "Wireframes", exact: true })
      .waitFor();

    await page.getByRole("button", { name: "Export time entries" }).click();
    await page.getByRole("button", { name: "Download export" }).waitFor({ timeout: 20_000 });
    expect(await page.getByLabel("Export progress").getAttribute("value")).toBe("100");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download export" }).click(),
    ]);
    const csv = await readFile((await download.path()) as string, "utf8");
    expect(csv).toContain("Wireframes");
    expect(csv).toContain("Writing the proposal");
    await screenshot(page, "03-report");
  });

  it("shows a lock-date refusal on the entry's own row", async () => {
    await go("/settings", "Settings");
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("Lock time before").fill(tomorrow);
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Settings saved.").waitFor();

    await go("/time", "Time");
    const description = page.getByRole("textbox", { name: "Description" }).first();
    await description.fill("Changed after the lock");
    await description.blur();
    const entry = page.getByRole("listitem").filter({ has: description });
    await entry
      .getByRole("alert")
      .filter({ hasText: /locked/ })
      .waitFor();
    expect(await description.getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "04-locked");

    await go("/settings", "Settings");
    await page.getByLabel("Lock time before").fill("");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Settings saved.").waitFor();
  });

  it("creates an API key, shows its secret once, and revokes it", async () => {
    await go("/api-keys", "API keys");
    await page.getByText("No API keys yet").waitFor();
    await page.getByLabel("Key name").fill("CI deploys");
    await page.getByRole("button", { name: "Create API key" }).click();
    const secret = await page.getByRole("textbox", { name: 'API key "CI deploys"' }).inputValue();
    expect(secret).toMatch(/^vlt_live_/);
    await page.getByRole("button", { name: "Copy key" }).waitFor();
    await screenshot(page, "05-api-key-created");
    const withKey = await fetch(`${server.baseUrl}/v1/projects`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(withKey.status).toBe(200);

    await page.getByRole("button", { name: "Done" }).click();
    await page.reload();
    await page.getByRole("cell", { name: "CI deploys", exact: true }).waitFor();
    expect(await page.content()).not.toContain(secret);

    await page.getByRole("button", { name: "Usage of CI deploys" }).click();
    await page.getByRole("img", { name: /Requests per day with "CI deploys"/ }).waitFor();
    await page.getByRole("button", { name: "Revoke CI deploys" }).click();
    await page.getByRole("cell", { name: "revoked", exact: true }).waitFor();
    const revoked = await fetch(`${server.baseUrl}/v1/projects`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(revoked.status).toBe(401);
    await screenshot(page, "06-api-key-revoked");
  });

  it("adds a webhook to a local receiver, sees the delivery arrive, and redelivers it", async () => {
    await go("/webhooks", "Webhooks");
    await page.getByLabel("Endpoint URL").fill(receiver.url);
    await page.getByLabel("Description").fill("Local receiver");
    await page.getByRole("checkbox", { name: "All events" }).check();
    await page.getByRole("button", { name: "Add webhook" }).click();
    expect(await page.getByRole("textbox", { name: /Signing secret of/ }).inputValue()).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "Done" }).click();

    await page.getByRole("button", { name: "Send test event" }).click();
    const deliveries = page.getByRole("table", { name: "Deliveries" });
    const tests = deliveries.getByRole("row").filter({ hasText: "webhook.test" });
    // Pending first, then succeeded once the receiver answered, without a reload.
    await tests.filter({ hasText: "succeeded" }).first().waitFor({ timeout: 20_000 });
    const received = () =>
      receiver.requests.filter((request) => request.json.event === "webhook.test").length;
    expect(received()).toBe(1);
    expect(await tests.first().textContent()).toMatch(/succeeded.*200/);

    await tests.first().getByRole("button", { name: "Redeliver webhook.test" }).click();
    await expect.poll(received, { timeout: 20_000 }).toBe(2);
    await expect.poll(() => tests.filter({ hasText: "succeeded" }).count(), { timeout: 20_000 }).toBe(2);
    await screenshot(page, "07-webhook-deliveries");
  });

  it("shows what happens elsewhere without a reload: a timer started, a delivery for a new project", async () => {
    // Another client of the same person, straight through the API.
    const login = await fetch(
      `${server.baseUrl}/v1/auth/login`,
      jsonPost({ email, password: "correct horse battery" }),
    );
    const token = (await login.json()).data.access_token;
    const elsewhere = (path: string, body: unknown) =>
      fetch(`${server.baseUrl}${path}`, {
        ...jsonPost(body),
        headers: { ...jsonPost(body).headers, authorization: `Bearer ${token}` },
      });
    const live = page.getByRole("status").filter({ hasText: /^Live$/ });

    await go("/time", "Time");
    await live.waitFor();
    const started = await elsewhere("/v1/time-entries/start", { description: "Started elsewhere" });
    expect(started.status).toBe(201);
    await page.getByRole("button", { name: "Stop timer" }).waitFor();
    await page.getByText("Started elsewhere").first().waitFor();
    await page.getByRole("button", { name: "Stop timer" }).click();
    await page.getByRole("button", { name: "Start timer" }).waitFor();

    await go("/webhooks", "Webhooks");
    await live.waitFor();
    expect((await elsewhere("/v1/projects", { name: "Made elsewhere" })).status).toBe(201);
    const created = page
      .getByRole("table", { name: "Deliveries" })
      .getByRole("row")
      .filter({ hasText: "project.created" });
    await created.filter({ hasText: "succeeded" }).first().waitFor({ timeout: 20_000 });
    const projectDeliveries = () =>
      receiver.requests.filter((request) => request.json.event === "project.created");
    expect(projectDeliveries().map((request) => request.json.data.name)).toContain("Made elsewhere");
    const before = projectDeliveries().length;
    await created.first().getByRole("button", { name: "Redeliver project.created" }).click();
    await expect.poll(() => projectDeliveries().length, { timeout: 20_000 }).toBe(before + 1);
    await screenshot(page, "08-live-delivery");
  });

  it("invites a member, who accepts the link and lands in the organization", async () => {
    await go("/members", "Members");
    await page.getByLabel("E-mail to invite").fill("grace@example.com");
    await page.getByLabel("Role", { exact: true }).selectOption("manager");
    await page.getByRole("button", { name: "Invite member" }).click();
    const link = await page
      .getByRole("textbox", { name: /Invitation link for grace@example.com/ })
      .inputValue();
    expect(link).toContain("/accept-invitation#token=");
    await page.getByText("as manager").waitFor();
    await screenshot(page, "09-member-invited");

    const invitee = await browser.newContext({ viewport: PHONE });
    const invitePage = await invitee.newPage();
    const inviteErrors = watchForErrors(invitePage);
    await invitePage.goto(link);
    await invitePage.getByLabel("Your name").fill("Grace Hopper");
    await invitePage.getByLabel("Password").fill("correct horse battery");
    await invitePage.getByRole("button", { name: "Accept invitation" }).click();
    await invitePage.getByRole("heading", { level: 1, name: "Time" }).waitFor();
    await expect.poll(() => invitePage.getByText("Grace Hopper").count()).toBeGreaterThan(0);
    await screenshot(invitePage, "10-invitee-signed-in");
    await invitee.close();
    expect(inviteErrors).toEqual([]);

    await page.reload();
    await page.getByRole("cell", { name: "grace@example.com", exact: true }).waitFor();
  });

  it("works by keyboard alone: signs out, signs in, starts and stops a timer", async () => {
    await page.goto(`${server.baseUrl}/time`);
    await page.getByRole("heading", { level: 1, name: "Time" }).waitFor();
    await tabTo(page, "Sign out");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await tabTo(page, "E-mail");
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    await page.keyboard.type("correct horse battery");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Time" }).waitFor();
    await tabTo(page, "What are you working on?");
    await page.keyboard.type("Typed, not clicked");
    await page.keyboard.press("Enter");
    await page.getByRole("timer", { name: "Elapsed time" }).waitFor();
    await tabTo(page, "Stop timer");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Start timer" }).waitFor();
    await screenshot(page, "11-keyboard");
  });

  it("switches to test data (the sandbox's demo projects), resets it, and back to live data", async () => {
    await go("/projects", "Projects");
    await page.getByRole("switch", { name: "Test data" }).check();
    await page.getByRole("note").filter({ hasText: "test data" }).waitFor();
    const projects = page.getByRole("region", { name: "Projects table" }).getByRole("row");
    await expect.poll(() => projects.count()).toBeGreaterThan(1);
    expect(await page.getByRole("cell", { name: "Website redesign", exact: true }).count()).toBe(0);
    await screenshot(page, "12-test-data");

    await go("/settings", "Settings");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Reset test data" }).click();
    await page.getByText("Test data restored.").waitFor();

    await page.getByRole("switch", { name: "Test data" }).uncheck();
    await go("/projects", "Projects");
    await page.getByRole("cell", { name: "Website redesign", exact: true }).waitFor();
    expect(await page.getByRole("note").count()).toBe(0);
  });

  it("passes axe-core on every screen at desktop width and at 375 px in dark mode", async () => {
    const report: string[] = [];
    for (const [viewport, scheme] of [
      [DESKTOP, "light"],
      [PHONE, "dark"],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      for (const [i, path] of SCREENS.entries()) {
        await page.goto(`${server.baseUrl}${path}`);
        await page.getByRole("heading", { level: 1, name: HEADINGS[i] }).waitFor();
        // Not "networkidle": the event stream stays open. Every list says when it has loaded.
        await expect.poll(() => page.getByText(/^Loading /).count()).toBe(0);
        // Nothing wider than the screen: every one works at 375 px without sideways scrolling.
        report.push(...(await screenProblems(page, `${path} at ${viewport.width}px ${scheme}`)));
      }
    }
    // The signed-out screens, in a fresh context.
    const visitor = await browser.newContext({ viewport: PHONE, colorScheme: "dark" });
    const visitorPage = await visitor.newPage();
    for (const [path, heading] of [
      ["/sign-in", "Sign in"],
      ["/sign-up", "Sign up"],
      ["/accept-invitation#token=vlt_inv_x", "Accept invitation"],
    ] as const) {
      await visitorPage.goto(`${server.baseUrl}${path}`);
      await visitorPage.getByRole("heading", { level: 1, name: heading }).waitFor();
      report.push(...(await screenProblems(visitorPage, path)));
    }
    await visitor.close();
    expect(report).toEqual([]);
    // Nineteen screens scanned: generous for a busy two-core machine running other test files.
  }, 240_000);
});
