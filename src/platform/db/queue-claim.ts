import { CompiledQuery, type RawBuilder } from "kysely";
import type { Db } from "./connection.js";

/**
 * Runs a queue claim with a plan made for the rows queued now. Statements are prepared (see
 * dialect.ts), and PostgreSQL may switch a prepared statement to a generic plan costed while the
 * queue was idle: that made a webhook claim over a backlog of 20,000 take 1.3 s instead of 5 ms.
 * The claim's values are written into its text instead, and the text is sent as a simple query:
 * planned for those values every time, in one round trip (postgres.js sends an unprepared
 * statement with parameters in two: it describes it before binding; claims are on the delivery
 * path).
 */
export async function claimWithFreshPlan<Row>(db: Db, claim: RawBuilder<Row>): Promise<Row[]> {
  const { sql: text, parameters } = claim.compile(db);
  const inlined = text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index >= parameters.length) throw new Error(`claim text has $${n} but ${parameters.length} values`);
    return literal(parameters[index]);
  });
  // Without parameters the dialect sends the text as it is, in PostgreSQL's simple protocol.
  return (await db.executeQuery<Row>(CompiledQuery.raw(inlined))).rows;
}

/**
 * A claim's values are the worker's own: times, counts, and ids it read from the database. Only
 * those are accepted, each written in a form that cannot end the literal it is in.
 */
function literal(value: unknown): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  // Parenthesised, so that a minus sign after an operator cannot begin a `--` comment.
  if (typeof value === "number" && Number.isSafeInteger(value))
    return value < 0 ? `(${value})` : String(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return `'${value.toISOString()}'::timestamptz`;
  if (typeof value === "string" && ID.test(value)) return `'${value}'`;
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(", ")}]`;
  throw new Error(`a queue claim takes times, integers and ids, not ${JSON.stringify(value)}`);
}

const ID = /^[A-Za-z0-9_-]*$/;
