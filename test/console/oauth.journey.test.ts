/**
 * OAuth in the console, in Chromium against a real server (issue 14): an admin registers apps on
 * the "OAuth apps" screen; a third-party app (oauth4webapi, PKCE) sends the browser to
 * /oauth/authorize, the person picks an organization on the consent screen and allows it, the app
 * exchanges the code and calls the API; the person revokes it under "Authorized apps" and the
 * token stops. Denying sends the app `access_denied`. axe-core on the new screens at desktop
 * width (light) and at 375 px (dark). Skipped, saying why, without Debian's chromium.
 */
import { existsSync } from "node:fs";
import * as oauth from "oauth4webapi";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizationUrl } from "../helpers/oauth.js";
import { jsonPost } from "../helpers/server-process.js";
import {
  CHECKED_AS,
  CHROMIUM,
  checkBuiltConsole,
  DESKTOP,
  launchChromium,
  PHONE,
  problemsOnScreen,
  screenshot,
  startConsoleServer,
  tabTo,
  watchForErrors,
} from "./harness.js";

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`console OAuth journey skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

// The app's redirect URI: nothing listens there; the test answers it (page.route) and reads the URL.
const APP_ORIGIN = "http://127.0.0.1:8765";
const REDIRECT_URI = `${APP_ORIGIN}/callback`;
const PASSWORD = "correct horse battery";
const insecure = { [oauth.allowInsecureRequests]: true };

describe.skipIf(!hasChromium)("OAuth in the console, in Chromium", { timeout: 90_000 }, () => {
  let server: { baseUrl: string; stop(): Promise<void> };
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const email = `ada-oauth-${Date.now()}@example.com`;
  const graceEmail = `grace-oauth-${Date.now()}@example.com`;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let accessToken: string;

  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      ...init,
      headers: { ...(init.headers as object), authorization: `Bearer ${token}` },
    });

  /** A browser tab whose redirect URI is answered by the test, as the app's server would. */
  async function newTab(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport });
    const tab = await context.newPage();
    errors.push(...watchForErrors(tab));
    await tab.route(`${APP_ORIGIN}/**`, (route) =>
      route.fulfill({ contentType: "text/html", body: "<!doctype html><title>The app</title>" }),
    );
    return tab;
  }

  async function signIn(tab: Page, as = email): Promise<void> {
    await tab.getByLabel("E-mail").fill(as);
    await tab.getByLabel("Password").fill(PASSWORD);
    await tab.getByRole("button", { name: "Sign in" }).click();
  }

  beforeAll(async () => {
    checkBuiltConsole();
    [server, browser] = await Promise.all([startConsoleServer(), launchChromium()]);
    // Ada owns "Analytical Engines" and is a member of Grace's "Garage": two organizations to pick from.
    const register = async (name: string, mail: string, organization: string) => {
      const res = await fetch(
        `${server.baseUrl}/v1/auth/register`,
        jsonPost({ name, email: mail, password: PASSWORD, organization_name: organization }),
      );
      expect(res.status).toBe(201);
      return (await res.json()).data.access_token as string;
    };
    const ada = await register("Ada Lovelace", email, "Analytical Engines");
    const grace = await register("Grace Hopper", graceEmail, "Garage");
    const invited = await api("/v1/users", grace, jsonPost({ email, role: "member" }));
    expect(invited.status).toBe(201);
    const token = (await invited.json()).data.token as string;
    expect((await api("/v1/invitations/accept", ada, jsonPost({ token }))).status).toBe(201);
    const issuer = new URL(server.baseUrl);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }),
    );
    page = await newTab();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    // Every page ran under the console's CSP: a violation or a script error fails the run.
    expect(errors).toEqual([]);
  });

  it("registers apps on the OAuth apps screen: field errors, the secret once, edit, rotate, delete", async () => {
    await page.goto(`${server.baseUrl}/oauth-apps`);
    await signIn(page);
    await page.getByRole("heading", { level: 1, name: "OAuth apps" }).waitFor();
    await page.getByText("No apps yet").waitFor();

    // The API's refusal of one redirect URI, next to the field, naming the URI.
    await page.getByLabel("App name").fill("Invoice Sync");
    await page
      .getByLabel("Redirect URIs")
      .fill("https://invoices.example.com/cb\nhttp://invoices.example.com/cb");
    await page.getByRole("button", { name: "Register app" }).click();
    await expect.poll(() => page.getByLabel("Redirect URIs").getAttribute("aria-invalid")).toBe("true");
    await page.getByText("http://invoices.example.com/cb: The redirect URI must use https").waitFor();

    // A confidential app: its secret shown once, with a copy button.
    await page.getByLabel("Redirect URIs").fill("https://invoices.example.com/cb");
    await page.getByRole("button", { name: "Register app" }).click();
    const secret = await page.getByRole("textbox", { name: 'Client secret of "Invoice Sync"' }).inputValue();
    expect(secret).toMatch(/^vlt_ocs_/);
    await page.getByRole("button", { name: "Copy secret" }).waitFor();
    await page.getByRole("button", { name: "Done" }).click();
    expect(await page.content()).not.toContain(secret);
    const invoices = page.getByRole("region", { name: "Invoice Sync" });
    await invoices.getByText(`…${secret.slice(-4)}`).waitFor();

    await page.getByRole("button", { name: "Rotate secret of Invoice Sync" }).click();
    const rotated = await page
      .getByRole("textbox", { name: 'New client secret of "Invoice Sync"' })
      .inputValue();
    expect(rotated).toMatch(/^vlt_ocs_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole("button", { name: "Done" }).click();

    await page.getByRole("button", { name: "Edit Invoice Sync" }).click();
    const edit = page.getByRole("form", { name: "Edit Invoice Sync" });
    await edit.getByLabel("App name").fill("Invoice Sync 2");
    await edit.getByRole("button", { name: "Save app" }).click();
    await page.getByRole("heading", { level: 2, name: "Invoice Sync 2" }).waitFor();

    await page.getByRole("button", { name: "Delete Invoice Sync 2" }).click();
    await page.getByText("This cannot be undone").waitFor();
    await page.getByRole("button", { name: "Delete app" }).click();
    await page.getByText("No apps yet").waitFor();

    // The public app the journey uses: a client id, no secret (PKCE alone).
    await page.getByLabel("App name").fill("Pocket Timer");
    await page.getByLabel("Redirect URIs").fill(REDIRECT_URI);
    await page.getByLabel(/^Public/).check();
    await page.getByRole("button", { name: "Register app" }).click();
    const registered = page.getByRole("region", { name: 'App "Pocket Timer" registered' });
    const clientId = /oap_[0-9A-Z]{26}/.exec((await registered.textContent()) ?? "")?.[0];
    expect(clientId).toBeDefined();
    expect(await registered.getByRole("textbox").count()).toBe(0);
    await screenshot(page, "oauth-01-app-registered");
    await registered.getByRole("button", { name: "Done" }).click();
    client = { client_id: clientId as string };
  });

  it("signs in on the way to the consent screen, and a denial sends the app access_denied", async () => {
    const visitor = await newTab(PHONE);
    const { url, state } = await authorizationUrl(as, client.client_id, "read:projects", REDIRECT_URI);
    await visitor.goto(url.href);
    // Not signed in: sign in first, then back to the same consent URL, its request id included.
    await visitor.getByText("An app asks for access to your Voltasis account").waitFor();
    await signIn(visitor);
    await visitor
      .getByRole("heading", { level: 1, name: "Allow Pocket Timer to use your account?" })
      .waitFor();
    const consentUrl = visitor.url();
    expect(new URL(consentUrl).searchParams.get("request")).toMatch(/^oar_/);
    await visitor.getByRole("button", { name: "Deny" }).click();
    await visitor.waitForURL(`${REDIRECT_URI}?**`);
    const back = new URL(visitor.url());
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe(state);
    expect(back.searchParams.get("code")).toBeNull();

    // The same request again: it was answered, and the screen says what to do next.
    await visitor.goto(consentUrl);
    await visitor
      .getByText(/expired .* or was already answered\. Go back to the app and start again/)
      .waitFor();
    await visitor.context().close();
  });

  it("allows the app in the organization picked, by keyboard; the app exchanges the code and calls the API", async () => {
    const { url, state, verifier } = await authorizationUrl(
      as,
      client.client_id,
      "read:projects",
      REDIRECT_URI,
    );
    await page.goto(url.href);
    await page.getByRole("heading", { level: 1, name: "Allow Pocket Timer to use your account?" }).waitFor();
    await page
      .getByRole("listitem")
      .filter({ hasText: /project/i })
      .first()
      .waitFor();
    await screenshot(page, "oauth-02-consent");
    await page.getByRole("radio", { name: /^Garage/ }).check();
    await tabTo(page, "Allow");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${REDIRECT_URI}?**`);

    const params = oauth.validateAuthResponse(as, client, new URL(page.url()), state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        params,
        REDIRECT_URI,
        verifier,
        insecure,
      ),
    );
    accessToken = tokens.access_token;
    const me = await (await api("/v1/auth/me", accessToken)).json();
    expect(me.data).toMatchObject({ email, role: "member", organization: { name: "Garage" } });
    expect(me.data.scopes).toEqual(["read:projects"]);
    expect((await api("/v1/projects", accessToken)).status).toBe(200);
  });

  it("shows the owner of the organization everyone else's authorized apps", async () => {
    const owner = await newTab();
    // Signing in returns only to a page of the console, never to another site.
    await owner.goto(`${server.baseUrl}/sign-in?next=${encodeURIComponent(`//127.0.0.1:8765/elsewhere`)}`);
    await signIn(owner, graceEmail);
    await owner.getByRole("heading", { level: 1, name: "Time" }).waitFor();
    expect(new URL(owner.url()).origin).toBe(server.baseUrl);
    await owner
      .getByRole("navigation", { name: "Console" })
      .getByRole("link", { name: "Authorized apps" })
      .click();
    const others = owner.getByRole("region", { name: "Apps others authorized" });
    await others.getByRole("cell", { name: "Ada Lovelace", exact: true }).waitFor();
    await others.getByRole("cell", { name: "Pocket Timer", exact: true }).waitFor();
    await others.getByRole("button", { name: "Revoke Pocket Timer for Ada Lovelace" }).waitFor();
    await owner.getByText("No app acts for you in this organization").waitFor();
    await screenshot(owner, "oauth-04-everyone-elses");
    await owner.context().close();
  });

  it("revokes the app under Authorized apps, and its token stops working", async () => {
    await page.goto(`${server.baseUrl}/authorized-apps`);
    await page.getByRole("heading", { level: 1, name: "Authorized apps" }).waitFor();
    // The grant belongs to Garage, where Ada is a member: no OAuth apps screen there.
    await page.getByRole("combobox", { name: "Organization" }).selectOption({ label: "Garage" });
    const nav = page.getByRole("navigation", { name: "Console" });
    await nav.getByRole("link", { name: "Authorized apps" }).waitFor();
    await expect.poll(() => nav.getByRole("link", { name: "OAuth apps" }).count()).toBe(0);
    await page.getByRole("cell", { name: "Pocket Timer", exact: true }).waitFor();
    expect(await page.getByRole("heading", { name: "Everyone else’s" }).count()).toBe(0);
    await screenshot(page, "oauth-03-authorized-apps");
    await page.getByRole("button", { name: "Revoke Pocket Timer" }).click();
    await page.getByText("No app acts for you in this organization").waitFor();
    expect((await api("/v1/projects", accessToken)).status).toBe(401);
  });

  it("passes axe-core on the consent, OAuth apps and Authorized apps screens, at desktop width and 375 px", async () => {
    await page.getByRole("combobox", { name: "Organization" }).selectOption({ label: "Analytical Engines" });
    await page
      .getByRole("navigation", { name: "Console" })
      .getByRole("link", { name: "OAuth apps" })
      .waitFor();
    const report: string[] = [];
    for (const [viewport, scheme] of CHECKED_AS) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      const { url } = await authorizationUrl(
        as,
        client.client_id,
        "read:projects write:time-entries",
        REDIRECT_URI,
      );
      for (const [address, heading] of [
        [`${server.baseUrl}/oauth-apps`, "OAuth apps"],
        [`${server.baseUrl}/authorized-apps`, "Authorized apps"],
        [url.href, "Allow Pocket Timer to use your account?"],
      ] as const) {
        await page.goto(address);
        await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        await expect.poll(() => page.getByText(/^Loading /).count()).toBe(0);
        report.push(...(await problemsOnScreen(page, `${heading} at ${viewport.width}px ${scheme}`)));
      }
    }
    expect(report).toEqual([]);
  }, 120_000);
});
