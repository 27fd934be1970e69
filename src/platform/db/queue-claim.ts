import { CompiledQuery, type RawBuilder } from "kysely";
import type { Db } from "./connection.js";

/**
 * Runs a queue claim with a plan made for the rows queued now, in one round trip.
 *
 * Statements are prepared (see dialect.ts), and PostgreSQL may switch a prepared statement to a
 * generic plan costed while the queue was idle: that made a webhook claim over a backlog of 20,000
 * take 1.3 s instead of 5 ms. Sent unprepared with parameters, postgres.js describes the statement
 * before binding it: two round trips, and under load each waits for a busy event loop (a webhook
 * claim took 11 ms of wall time for 1.4 ms of work, and the sending pipe ran dry meanwhile). So the
 * claim's values are written into its text, and PostgreSQL plans the whole statement on arrival.
 */
export async function claimWithFreshPlan<Row>(db: Db, claim: RawBuilder<Row>): Promise<Row[]> {
  return (await db.executeQuery<Row>(CompiledQuery.raw(inlineParameters(claim.compile(db))))).rows;
}

/**
 * The query's text with each `$n` replaced by its value as a literal. Kysely numbers its
 * placeholders $1..$N in order of appearance, each once; anything else (a `$` in a comment or a
 * literal of the text itself) is refused rather than guessed at.
 */
export function inlineParameters(query: CompiledQuery): string {
  let next = 1;
  const text = query.sql.replace(/\$(\d+)/g, (_, n: string) => {
    if (Number(n) !== next) throw new Error(`inlineParameters: expected $${next}, found $${n}`);
    next++;
    return literal(query.parameters[Number(n) - 1]);
  });
  if (next - 1 !== query.parameters.length) {
    throw new Error(`inlineParameters: ${query.parameters.length} parameters, ${next - 1} placeholders`);
  }
  return text;
}

/**
 * The values a claim binds are ids, counts and times. Strings are limited to characters that need
 * no escaping in a string literal or an array literal, so no value can end either early.
 */
const PLAIN_TEXT = /^[\w.:+-]+$/;

function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number" && Number.isFinite(value)) return `(${value})`;
  if (value instanceof Date && Number.isFinite(value.getTime()))
    return `'${value.toISOString()}'::timestamptz`;
  if (typeof value === "string" && PLAIN_TEXT.test(value)) return `'${value}'`;
  if (Array.isArray(value)) return `'{${value.map(arrayElement).join(",")}}'`;
  throw new Error(`inlineParameters: cannot write ${describe(value)} as a literal`);
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  // NULL unquoted is the null element, so a string spelling it is refused with the rest.
  if (typeof value === "string" && PLAIN_TEXT.test(value) && value.toUpperCase() !== "NULL") return value;
  throw new Error(`inlineParameters: cannot write ${describe(value)} in an array literal`);
}

function describe(value: unknown): string {
  return typeof value === "string" ? `the string ${JSON.stringify(value.slice(0, 40))}` : `a ${typeof value}`;
}
