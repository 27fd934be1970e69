import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { claimWithFreshPlan } from "./queue-claim.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

// pg_prepared_statements lists one session's statements: a transaction keeps every query on one.
const preparedLike = (marker: string) =>
  sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE ${`%${marker}%`}`;

describe("a queue claim", () => {
  it("is never prepared, so PostgreSQL plans it for the values of each run; other queries are", async () => {
    await t.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 6; i++) {
        const rows = await claimWithFreshPlan(
          trx,
          sql<{ n: number }>`SELECT ${i}::int AS n /* claim_marker */`,
        );
        expect(rows).toEqual([{ n: i }]);
        await sql`SELECT ${i}::int AS n /* plain_marker */`.execute(trx);
      }
      expect((await preparedLike("claim_marker").execute(trx)).rows[0]?.n).toBe(0);
      expect((await preparedLike("plain_marker").execute(trx)).rows[0]?.n).toBe(1);
    });
  });
});
