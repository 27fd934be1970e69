import { randomBytes } from "node:crypto";
import { createAccountService } from "../src/features/accounts/service.js";
import { createApiKeyService } from "../src/features/api-keys/service.js";
import { MEMBERS } from "../src/features/sandbox/demo-catalog.js";
import { addDemoMembers, type DemoCounts, fillDemoData } from "../src/features/sandbox/demo-data.js";
import { createAuthenticator } from "../src/platform/auth/authenticator.js";
import { createIdentityStore } from "../src/platform/auth/identity-store.js";
import type { Config } from "../src/platform/config.js";
import type { Db } from "../src/platform/db/connection.js";
import { systemOrgContext } from "../src/platform/tenancy.js";

export interface SeedResult {
  email: string;
  password: string;
  apiKey: string;
  organizationId: string;
  counts: DemoCounts & { members: number };
}

/**
 * A demo organization with a year of realistic time. The account and its API key go through the
 * services the API uses (so the password and key work like any other); the cast, the catalogue and
 * the entries are the demo data every sandbox starts with (src/features/sandbox/demo-data.ts).
 */
export async function seedDemo(db: Db, config: Pick<Config, "defaultPlan">): Promise<SeedResult> {
  const authenticator = createAuthenticator(createIdentityStore(db));
  try {
    // Unique per run, so seeding twice gives two demo organizations instead of a conflict.
    const stamp = `${Date.now()}${randomBytes(2).toString("hex")}`;
    const email = `demo+${stamp}@voltasis.local`;
    const password = `demo-${randomBytes(6).toString("hex")}`;
    const accounts = createAccountService({ db, authenticator, config });
    const account = await accounts.register({
      email,
      password,
      name: "Ada Lovelace",
      organization_name: "Demo Consulting GmbH",
    });
    const principal = await authenticator.authenticate(`Bearer ${account.access_token}`);
    const ctx = systemOrgContext(principal.organization.id);

    const counts = await db.transaction().execute(async (trx) => {
      await addDemoMembers(trx, ctx, (i) => `demo+${stamp}-${i}@voltasis.local`);
      return fillDemoData(trx, ctx);
    });

    const key = await createApiKeyService({ db, authenticator }).create(ctx, principal, {
      name: "Demo key",
      scopes: ["admin"],
    });
    return {
      email,
      password,
      apiKey: key.secret,
      organizationId: ctx.orgId,
      counts: { ...counts, members: MEMBERS.length + 1 },
    };
  } finally {
    await authenticator.close();
  }
}
