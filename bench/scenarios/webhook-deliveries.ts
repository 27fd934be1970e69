import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import type { Db } from "../../src/platform/db/connection.js";
import { registerWithKey } from "../bulk-entries.js";
import { type Bench, type Measurement, postJson, type Row, readSettings, withDeadline } from "../harness.js";

const QUICK = readSettings().quick;
const BACKLOG = QUICK ? 1_000 : 20_000;
const CHANGES = QUICK ? 20 : 300;
const DRAIN_LIMIT_S = 120;
const FLOOR_CONCURRENCY = 50;
const FLOOR_BATCH = 100;

/**
 * Two figures for webhooks (issue 15): how fast a backlog of queued deliveries drains to a local
 * receiver (goal >= 0.5 of the bare sender below), and how long one change takes to arrive there
 * (goal p50 < 20 ms).
 * The throughput floor is a bare loop running the same claim-post-update cycle on a copy of the
 * queue table, with plain keep-alive POSTs: no signing, no SSRF check, no attempt records. The
 * latency floor is the change's own response time, without the delivery.
 */
export async function run(bench: Bench): Promise<Row[]> {
  const receiver = await startReceiver();
  try {
    const { orgId, secret } = await registerWithKey(bench.realUrl, ["admin"]);
    const webhook = (await postJson(
      `${bench.realUrl}/v1/webhooks`,
      { url: receiver.url, events: ["*"], description: "bench" },
      secret,
    )) as { data: { id: string } };
    const db = bench.database.db;
    const payload = JSON.stringify({ event: "tag.created", data: { id: "tag_bench", name: "bench" } });

    const floorRate = await drainFloor(db, receiver, orgId, webhook.data.id, payload);
    process.stderr.write(`  floor: ${Math.round(floorRate)} deliveries/s\n`);
    const realRate = await drainReal(db, receiver, orgId, webhook.data.id, payload);
    process.stderr.write(`  real: ${Math.round(realRate)} deliveries/s\n`);

    const latency = await changeToDelivery(bench.realUrl, secret, receiver);
    process.stderr.write(
      `  change to delivery p50 ${latency.real.p50Ms} ms (the change alone: p50 ${latency.floor.p50Ms} ms)\n`,
    );
    const rate = (perSecond: number): Measurement => ({ requestsPerSecond: perSecond, p50Ms: 0, p99Ms: 0 });
    return [
      {
        scenario: `webhook deliveries to a local receiver (${BACKLOG.toLocaleString("en-US")} queued)`,
        real: rate(realRate),
        floor: rate(floorRate),
        ratio: realRate / floorRate,
        goal: 0.5,
      },
      {
        scenario: `change (POST /v1/tags) to its delivery, ${CHANGES} one at a time`,
        ...latency,
        ratio: latency.real.p50Ms / latency.floor.p50Ms,
        goal: 0,
        maxP50Ms: 20,
      },
    ];
  } finally {
    await receiver.close();
  }
}

interface Receiver {
  url: string;
  /** Deliveries received since the last reset. */
  count(): number;
  reset(): void;
  /** When the delivery whose payload's data.id is `id` arrived (performance.now()). */
  arrivals: Map<string, number>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  let received = 0;
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received++;
      const body = Buffer.concat(chunks).toString();
      if (body.includes('"tag_')) {
        const id = (JSON.parse(body) as { data?: { id?: string } }).data?.id;
        if (id) arrivals.set(id, performance.now());
      }
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    count: () => received,
    reset: () => {
      received = 0;
    },
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Rows for `table` as recordEvent would queue them, BACKLOG of them in one statement. */
async function queue(db: Db, table: string, orgId: string, webhookId: string, payload: string) {
  await sql`
    INSERT INTO ${sql.table(table)}
      (id, organization_id, webhook_id, event_id, event_name, payload, next_attempt_at, created_at)
    SELECT 'dlv_bench' || g || '_' || md5(random()::text), ${orgId}, ${webhookId},
           'evt_bench' || g || '_' || md5(random()::text), 'tag.created', ${payload}, now(), now()
    FROM generate_series(1, ${BACKLOG}) AS g
  `.execute(db);
}

async function waitForCount(receiver: Receiver, target: number, what: string) {
  const deadline = Date.now() + DRAIN_LIMIT_S * 1000;
  while (receiver.count() < target) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: ${receiver.count()} of ${target} deliveries within ${DRAIN_LIMIT_S} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The app's own workers drain the backlog: queued in one commit, woken by its NOTIFY. */
async function drainReal(db: Db, receiver: Receiver, orgId: string, webhookId: string, payload: string) {
  receiver.reset();
  const started = await db.transaction().execute(async (trx) => {
    await queue(trx, "webhook_deliveries", orgId, webhookId, payload);
    await sql`SELECT pg_notify('voltasis_webhook_deliveries', '')`.execute(trx);
    return () => performance.now();
  });
  const t0 = started();
  await waitForCount(receiver, BACKLOG, "real workers");
  return BACKLOG / ((performance.now() - t0) / 1000);
}

/** The same claim-post-update cycle with nothing else, on a copy of the table the app never sees. */
async function drainFloor(db: Db, receiver: Receiver, orgId: string, webhookId: string, payload: string) {
  await sql`DROP TABLE IF EXISTS bench_floor_deliveries`.execute(db);
  await sql`CREATE TABLE bench_floor_deliveries (LIKE webhook_deliveries INCLUDING ALL)`.execute(db);
  try {
    await queue(db, "bench_floor_deliveries", orgId, webhookId, payload);
    receiver.reset();
    const agent = new http.Agent({ keepAlive: true, maxSockets: FLOOR_CONCURRENCY });
    const post = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          receiver.url,
          { method: "POST", agent, headers: { "content-type": "application/json" } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const t0 = performance.now();
    const work = async () => {
      for (;;) {
        const claimed = await sql<{ id: string; payload: string }>`
          UPDATE bench_floor_deliveries SET locked_until = now() + interval '30 seconds',
                 attempts = attempts + 1
          WHERE id IN (
            SELECT id FROM bench_floor_deliveries
            WHERE status = 'pending' AND next_attempt_at <= now()
              AND (locked_until IS NULL OR locked_until < now())
            ORDER BY next_attempt_at LIMIT ${FLOOR_BATCH} FOR UPDATE SKIP LOCKED)
          RETURNING id, payload
        `.execute(db);
        if (claimed.rows.length === 0) return;
        await Promise.all(claimed.rows.map((row) => post(row.payload)));
        await sql`
          UPDATE bench_floor_deliveries SET status = 'succeeded', completed_at = now(), locked_until = NULL
          WHERE id IN (${sql.join(claimed.rows.map((row) => row.id))})
        `.execute(db);
      }
    };
    // As many claimers as the app's pool can serve beside it.
    await withDeadline(Promise.all([work(), work(), work(), work()]), DRAIN_LIMIT_S, "floor drain");
    const rate = BACKLOG / ((performance.now() - t0) / 1000);
    agent.destroy();
    return rate;
  } finally {
    await sql`DROP TABLE IF EXISTS bench_floor_deliveries`.execute(db);
  }
}

/** One change at a time, each waited for at the receiver, so no backlog hides in the figure. */
async function changeToDelivery(baseUrl: string, secret: string, receiver: Receiver) {
  const delivered: number[] = [];
  const responded: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const t0 = performance.now();
    const tag = (await postJson(`${baseUrl}/v1/tags`, { name: `bench-${i}-${t0}` }, secret)) as {
      data: { id: string };
    };
    responded.push(performance.now() - t0);
    const deadline = Date.now() + 10_000;
    while (!receiver.arrivals.has(tag.data.id)) {
      if (Date.now() > deadline) throw new Error(`tag ${tag.data.id} was not delivered within 10 s`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    delivered.push((receiver.arrivals.get(tag.data.id) as number) - t0);
  }
  const percentile = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
  };
  const measurement = (values: number[]): Measurement => ({
    requestsPerSecond: 1000 / (values.reduce((a, b) => a + b, 0) / values.length),
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
  });
  return { real: measurement(delivered), floor: measurement(responded) };
}
