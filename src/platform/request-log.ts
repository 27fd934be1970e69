import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { sql } from "kysely";
import type { Principal } from "./auth/authenticator.js";
import type { Db } from "./db/connection.js";
import { newId } from "./ids.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The request log's buffer; tests and shutdown flush it. */
    requestLog: RequestLog;
  }
}

export interface RequestLog {
  /** Writes everything buffered so far; resolves when it is in the database (or failed and re-queued). */
  flush(): Promise<void>;
}

// The request path must not wait for the database: entries are written in batches, after the
// response, at most this late or as soon as a batch is full. Under load a batch of 5,000 rows is
// one INSERT every 0.3 s instead of 500 rows 30 times a second: each flush wakes a PostgreSQL
// backend that takes a core from the event loop on a small machine (issue 15: GET /v1/auth/me
// served 7-12 % more with 5,000 than with 500 in three paired runs; 2,000 and 20,000 no better).
const FLUSH_EVERY_MS = 1_000;
const BATCH_ROWS = 5_000;
// While the database is unreachable entries wait here; past this many the oldest are dropped so
// that an outage cannot exhaust the process's memory.
const MAX_BUFFERED = 50_000;
// Paths are as long as the URL; a pathological one is cut rather than stored whole.
const MAX_PATH_LENGTH = 1_024;

/**
 * What the response hook keeps of a request: references it already holds and three numbers. The
 * row (its id, timestamp text, path without the query) is made when the batch is written: this
 * hook runs on every response, and building the row here cost about a fifth of a cached GET
 * (issue 15's profile of GET /v1/auth/me).
 */
class Answered {
  constructor(
    readonly arrivedAt: number,
    readonly durationMs: number,
    readonly status: number,
    readonly requestId: string,
    readonly method: string,
    readonly url: string,
    readonly orgId: string,
    readonly principal: Principal,
  ) {}
}

interface RequestEntry {
  id: string;
  organization_id: string;
  /** The organization the API key belongs to: a test key's requests are logged in the sandbox. */
  key_organization_id: string;
  created_at: string;
  user_id: string;
  api_key_id: string | null;
  request_id: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
}

interface UsageCount {
  organization_id: string;
  api_key_id: string;
  day: string;
  requests: number;
  errors: number;
}

/**
 * The organization's request log (GET /v1/logs) and each API key's daily usage (GET
 * /v1/api-keys/{id}/usage). A platform plugin (fastify-plugin) rather than a hook in app.ts, so the
 * buffer, its timer, the flush on close and the decorator tests flush with live in one place, while
 * its onResponse hook still reaches every route of the app.
 *
 * Only requests with an organization context are recorded: a request without a valid credential
 * (401) belongs to no organization. The path is stored without its query string: queries carry
 * search terms (names, e-mail addresses, descriptions) that a log kept for 30 days and shown to
 * every admin has no business copying, and the method, path and status say what the call did.
 *
 * This writes for every organization at once, like the identity store: `organization_id` comes
 * from the request's own OrgContext.
 */
export const requestLogPlugin = fp<{ db: Db }>(
  async (app: FastifyInstance, { db }) => {
    let entries: Answered[] = [];
    // Rows a failed flush did not write: they go first at the next one.
    let unwritten: RequestEntry[] = [];
    let usage = new Map<string, UsageCount>();
    let chain: Promise<void> = Promise.resolve();
    let batchQueued = false;

    function countUsage(row: RequestEntry) {
      if (!row.api_key_id) return;
      const day = row.created_at.slice(0, 10);
      const key = `${row.api_key_id} ${day}`;
      const count = usage.get(key) ?? {
        organization_id: row.key_organization_id,
        api_key_id: row.api_key_id,
        day,
        requests: 0,
        errors: 0,
      };
      count.requests += 1;
      if (row.status >= 400) count.errors += 1;
      usage.set(key, count);
    }

    /** A row for the log, counted into its key's usage as it is made. */
    function rowOf(answered: Answered): RequestEntry {
      const { principal } = answered;
      const row: RequestEntry = {
        id: newId("logEntry", answered.arrivedAt),
        organization_id: answered.orgId,
        key_organization_id: principal.liveOrganization.id,
        // When the request arrived, so an entry sorts before the audit entries its request wrote.
        created_at: new Date(answered.arrivedAt).toISOString(),
        user_id: principal.user.id,
        api_key_id: principal.kind === "api_key" ? principal.credentialId : null,
        request_id: answered.requestId,
        method: answered.method,
        path: pathOf(answered.url),
        status: answered.status,
        duration_ms: Math.round(answered.durationMs * 100) / 100,
      };
      countUsage(row);
      return row;
    }

    async function writeOnce(): Promise<void> {
      const taken = [...unwritten, ...entries.map(rowOf)];
      const counts = [...usage.values()].sort((a, b) =>
        a.api_key_id === b.api_key_id ? a.day.localeCompare(b.day) : a.api_key_id.localeCompare(b.api_key_id),
      );
      entries = [];
      unwritten = [];
      usage = new Map();
      let written = 0;
      let counted = 0;
      try {
        for (; written < taken.length; written += BATCH_ROWS) {
          await insertEntries(db, taken.slice(written, written + BATCH_ROWS));
        }
        for (; counted < counts.length; counted += BATCH_ROWS) {
          await upsertUsage(db, counts.slice(counted, counted + BATCH_ROWS));
        }
      } catch (error) {
        // Only what did not commit is kept, to go ahead of what arrives meanwhile at the next flush.
        unwritten = taken.slice(written).slice(-MAX_BUFFERED);
        for (const count of counts.slice(counted)) {
          const key = `${count.api_key_id} ${count.day}`;
          const current = usage.get(key);
          if (current) {
            current.requests += count.requests;
            current.errors += count.errors;
          } else usage.set(key, count);
        }
        app.log.warn({ err: error, buffered: unwritten.length }, "request log flush failed; will retry");
      }
    }

    /** One write at a time, in order; each flush waits for the ones before it. */
    function flush(): Promise<void> {
      chain = chain.then(writeOnce);
      return chain;
    }

    app.decorate("requestLog", { flush } satisfies RequestLog);

    const timer = setInterval(() => void flush(), FLUSH_EVERY_MS);
    timer.unref();
    app.addHook("onClose", async () => {
      clearInterval(timer);
      await flush();
    });

    // Callback style: every response passes here, and this way none of them allocates a promise.
    app.addHook("onResponse", (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const { org, principal } = request;
      if (!org || !principal || reply.statusCode === 401) return done();
      const elapsed = reply.elapsedTime;
      entries.push(
        new Answered(
          // Whole milliseconds: the log entry's id is made from this time.
          Math.floor(Date.now() - elapsed),
          elapsed,
          reply.statusCode,
          request.id,
          request.method,
          request.url,
          org.orgId,
          principal,
        ),
      );
      // An outage cannot exhaust memory: the oldest entries go, still counted in their key's usage.
      if (unwritten.length + entries.length > MAX_BUFFERED) {
        if (unwritten.length > 0) unwritten.shift();
        else rowOf(entries.shift() as Answered);
      }
      if (entries.length >= BATCH_ROWS && !batchQueued) {
        batchQueued = true;
        void flush().finally(() => {
          batchQueued = false;
        });
      }
      done();
    });
  },
  { name: "request-log", dependencies: ["auth"] },
);

function pathOf(url: string): string {
  const end = url.indexOf("?");
  return (end === -1 ? url : url.slice(0, end)).slice(0, MAX_PATH_LENGTH);
}

/**
 * One multi-row INSERT. The rows travel as one array per column (no parameter-count limit) and are
 * joined to their organization, so an organization deleted meanwhile drops its rows instead of
 * failing the whole batch on the foreign key forever. Arrays rather than one JSON document:
 * PostgreSQL spent about 31 us a row parsing jsonb_to_recordset's document and 16 us unnesting
 * arrays (5,000-row batches, issue 15), and every logged request pays it.
 */
async function insertEntries(db: Db, rows: RequestEntry[]): Promise<void> {
  if (rows.length === 0) return;
  const column = <K extends keyof RequestEntry>(key: K) => rows.map((row) => row[key]);
  await sql`
    INSERT INTO logs (id, organization_id, kind, created_at, user_id, api_key_id, request_id,
                      method, path, status, duration_ms)
    SELECT r.id, r.organization_id, 'request', r.created_at, r.user_id, r.api_key_id, r.request_id,
           r.method, r.path, r.status, r.duration_ms
    FROM unnest(${column("id")}::text[], ${column("organization_id")}::text[],
                ${column("created_at")}::timestamptz[], ${column("user_id")}::text[],
                ${column("api_key_id")}::text[], ${column("request_id")}::text[],
                ${column("method")}::text[], ${column("path")}::text[], ${column("status")}::integer[],
                ${column("duration_ms")}::real[])
      AS r(id, organization_id, created_at, user_id, api_key_id, request_id, method, path, status,
           duration_ms)
    JOIN organizations o ON o.id = r.organization_id`.execute(db);
}

/**
 * Adds the counts to each key's row for the day. Rows are sorted by key and day, so two processes
 * upserting the same keys lock them in the same order and cannot deadlock.
 */
async function upsertUsage(db: Db, rows: UsageCount[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows);
  await sql`
    INSERT INTO api_key_usage_daily (organization_id, api_key_id, day, requests, errors)
    SELECT u.organization_id, u.api_key_id, u.day, u.requests, u.errors
    FROM jsonb_to_recordset(${json}::text::jsonb) AS u(
      organization_id text, api_key_id text, day date, requests bigint, errors bigint)
    JOIN api_keys k ON k.id = u.api_key_id AND k.organization_id = u.organization_id
    ORDER BY u.api_key_id, u.day
    ON CONFLICT (api_key_id, day) DO UPDATE
      SET requests = api_key_usage_daily.requests + EXCLUDED.requests,
          errors = api_key_usage_daily.errors + EXCLUDED.errors`.execute(db);
}
