import { CompiledQuery, type RawBuilder, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { claimWithFreshPlan, inlineParameters } from "./queue-claim.js";

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

describe("a claim's values written into its text", () => {
  const compiled = (query: RawBuilder<unknown>) => query.compile(t.db);

  it("reads back as the values bound would have: ids, counts, times, arrays and nulls", async () => {
    const at = new Date("2026-12-02T10:00:00.123Z");
    const rows = await claimWithFreshPlan(
      t.db,
      sql<{
        id: string;
        n: number;
        at: Date;
        ids: string[];
        counts: number[];
        none: string | null;
        yes: boolean;
      }>`
        SELECT ${"dlv_abc-1.2:3+4"}::text AS id, ${-5}::int AS n, ${at}::timestamptz AS at,
          ${["wh_1", "wh_2"]}::text[] AS ids, ${[1, 0]}::int[] AS counts, ${null}::text AS none,
          ${true}::boolean AS yes, ${[]}::text[] AS empty`,
    );
    expect(rows).toEqual([
      {
        id: "dlv_abc-1.2:3+4",
        n: -5,
        at,
        ids: ["wh_1", "wh_2"],
        counts: [1, 0],
        none: null,
        yes: true,
        empty: [],
      },
    ]);
  });

  it("refuses any string a literal would have to escape, rather than escaping it", () => {
    for (const hostile of ["a'b", "a\\b", "x'); DROP TABLE users; --", "a b", "a,b", 'a"b', "a}b", "", "é"]) {
      expect(() => inlineParameters(compiled(sql`SELECT ${hostile}::text`))).toThrow(/cannot write/);
      expect(() => inlineParameters(compiled(sql`SELECT ${[hostile]}::text[]`))).toThrow(/cannot write/);
    }
    // Unquoted in an array literal, NULL is the null element, not the string.
    expect(() => inlineParameters(compiled(sql`SELECT ${["null"]}::text[]`))).toThrow(/cannot write/);
    for (const odd of [Number.NaN, Number.POSITIVE_INFINITY, new Date("nope"), { a: 1 }, Buffer.from("x")]) {
      expect(() => inlineParameters(compiled(sql`SELECT ${odd}`))).toThrow(/cannot write/);
    }
  });

  it("refuses a text whose placeholders are not Kysely's $1..$N in order", () => {
    expect(() => inlineParameters(CompiledQuery.raw("SELECT '$1'", []))).toThrow(
      /0 parameters, 1 placeholders/,
    );
    expect(() => inlineParameters(CompiledQuery.raw("SELECT $2, $1", [1, 2]))).toThrow(/expected \$1/);
    expect(() => inlineParameters(CompiledQuery.raw("SELECT $1", [1, 2]))).toThrow(/2 parameters, 1/);
    expect(inlineParameters(CompiledQuery.raw("SELECT $1, $2", [1, "a"]))).toBe("SELECT (1), 'a'");
  });
});
