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
  it("reaches PostgreSQL with each run's values in its text and is never prepared; other queries are", async () => {
    await t.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 6; i++) {
        // current_query() is the text as the server received it: a bound parameter would show as $1.
        const rows = await claimWithFreshPlan(
          trx,
          sql<{ n: number; text: string }>`SELECT ${i}::int AS n, current_query() AS text /* claim_marker */`,
        );
        expect(rows).toEqual([{ n: i, text: expect.stringContaining(`SELECT ${i}::int AS n`) }]);
        await sql`SELECT ${i}::int AS n /* plain_marker */`.execute(trx);
      }
      expect((await preparedLike("claim_marker").execute(trx)).rows[0]?.n).toBe(0);
      expect((await preparedLike("plain_marker").execute(trx)).rows[0]?.n).toBe(1);
    });
  });

  it("reads back the times, integers, ids and arrays of them that it was given", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    const [row] = await claimWithFreshPlan(
      t.db,
      sql<{ at: Date; n: number; minus: number; id: string; ids: string[]; ns: number[]; none: string[] }>`
        SELECT ${at} AS at, ${7}::int AS n, 1-${-1} AS minus, ${"whk_a-B9"}::text AS id,
          ${["whk_1", "whk_2"]}::text[] AS ids, ${[3, 4]}::int[] AS ns, ${[]}::text[] AS none`,
    );
    expect(row).toEqual({
      at,
      n: 7,
      minus: 2,
      id: "whk_a-B9",
      ids: ["whk_1", "whk_2"],
      ns: [3, 4],
      none: [],
    });
  });

  it("refuses a value it could not write safely, before sending anything", async () => {
    for (const value of [
      "it's",
      "a\\b",
      "x y",
      1.5,
      Number.NaN,
      new Date(Number.NaN),
      { id: 1 },
      ["ok", "no'"],
    ]) {
      await expect(claimWithFreshPlan(t.db, sql`SELECT ${value} AS v`)).rejects.toThrow(
        /a queue claim takes/,
      );
    }
  });
});
