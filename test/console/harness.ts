import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { type Browser, chromium, type Page } from "playwright-core";
import { startServerOnFreshDatabase } from "../helpers/fresh-server.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = path.join(ROOT, ".tmp/screenshots");
const DIST = path.join(ROOT, "console/dist");

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 375, height: 812 };
/** Every screen is checked as most people see it, and on a phone in dark mode. */
export const CHECKED_AS = [
  [DESKTOP, "light"],
  [PHONE, "dark"],
] as const;

/** The console as `npm install` built it, refused with the fix when missing or older than its sources. */
export function checkBuiltConsole(): void {
  const rebuild = "run `npm install` or `npm run build -w @voltasis/console`";
  if (!existsSync(path.join(DIST, "index.html"))) throw new Error(`console/dist is missing: ${rebuild}`);
  const newest = (dir: string): number =>
    Math.max(
      ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? newest(full) : statSync(full).mtimeMs;
      }),
    );
  if (newest(path.join(ROOT, "console/src")) > statSync(path.join(DIST, "index.html")).mtimeMs) {
    throw new Error(`console/dist is older than console/src: ${rebuild}`);
  }
}

/** Bytes, gzipped, of the JavaScript that index.html loads before anything else (scripts and preloads). */
export function initialJavaScriptGzip(): { bytes: number; files: string[] } {
  const html = readFileSync(path.join(DIST, "index.html"), "utf8");
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map(
    (match) => match[1] as string,
  );
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(DIST, file))).length, 0);
  return { bytes, files };
}

/** The console's server: webhooks to 127.0.0.1 allowed (the journeys' receiver), no IP limit. */
export function startConsoleServer(): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  return startServerOnFreshDatabase("console", {
    LOG_LEVEL: "warn",
    VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true",
    VOLTASIS_UNAUTHENTICATED_LIMIT: "100000",
    VOLTASIS_MAX_EVENT_LOOP_DELAY_MS: "0",
  });
}

export function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/**
 * Everything a page reports that a test should fail on: script errors and console errors (a CSP
 * violation is one), apart from the failed requests the test expects (the 401 of the first
 * refresh, before anyone signs in).
 */
export function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (
      /Failed to load resource: the server responded with a status of (401|403|404|409|400)/.test(
        message.text(),
      )
    )
      return;
    errors.push(`console: ${message.text()}`);
  });
  return errors;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * axe-core on the page as it is (WCAG 2.x A and AA rules). Evaluated through DevTools rather than
 * as a <script>: the console's CSP rightly refuses an injected inline script.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
}

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/**
 * What axe-core finds serious or critical on the page as it is, and any sideways scrolling:
 * every screen fits its viewport, a 375 px phone included. One line per problem, `where` first.
 */
export async function problemsOnScreen(page: Page, where: string): Promise<string[]> {
  const report = (await seriousViolations(page)).map(
    (v) => `${where}: ${v.id} (${v.impact}) ${v.help} ${JSON.stringify(v.nodes.slice(0, 3))}`,
  );
  const viewport = page.viewportSize();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (viewport && width > viewport.width) report.push(`${where}: scrolls sideways (${width}px wide)`);
  return report;
}

/** Presses Tab until the focused control is the one named `name` (its label or its text). */
export async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      if (!el) return "";
      return (el.getAttribute("aria-label") ?? el.labels?.[0]?.textContent ?? el.textContent ?? "").trim();
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}
