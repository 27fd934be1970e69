import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, registerAccount } from "../../../test/helpers/fixtures.js";
import {
  authorizeQuery,
  oauthTokens,
  pkcePair,
  registerApp,
  startAuthorization,
} from "../../../test/helpers/oauth.js";
import { ManualClock } from "../../platform/background/clock.js";
import { createRetention } from "../logs/retention.js";

// Anyone can start an authorization request: the hourly retention job removes what expired.
const DAY_MS = 86_400_000;
const clock = new ManualClock();
let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WORKERS: "off" }, { clock });
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const count = async (table: "oauth_authorization_requests" | "oauth_authorization_codes" | "oauth_tokens") =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("oauth: retention", () => {
  it("deletes undecided requests, codes and tokens once expired, and nothing still in use", async () => {
    const registered = await registerApp(t.app, owner.accessToken);
    await startAuthorization(t.app, authorizeQuery(registered.id, pkcePair().challenge));
    const tokens = await oauthTokens(t.app, owner.accessToken, {
      organizationId: owner.orgId,
      scope: "read",
      registered,
    });
    expect([await count("oauth_authorization_requests"), await count("oauth_authorization_codes")]).toEqual([
      2, 1,
    ]);

    expect((await createRetention({ db: t.db, clock }).run())?.oauth).toBe(0);

    // Two days on: both requests (one decided, one not), the code and the access token have
    // expired; the refresh token (30 days) has not.
    clock.advance(2 * DAY_MS);
    const result = await createRetention({ db: t.db, clock }).run();
    expect(result?.oauth).toBe(4);
    expect(await count("oauth_authorization_requests")).toBe(0);
    expect(await count("oauth_authorization_codes")).toBe(0);
    expect(await count("oauth_tokens")).toBe(1);
    const refreshed = await t.app.inject({
      method: "POST",
      url: "/oauth/token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: tokens.refreshToken,
        client_id: registered.id,
        client_secret: registered.client_secret as string,
      }).toString(),
    });
    expect(refreshed.statusCode).toBe(200);
  });
});
