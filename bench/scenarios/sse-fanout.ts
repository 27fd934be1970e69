import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { FastifyInstance, FastifyReply } from "fastify";
import { registerWithKey } from "../bulk-entries.js";
import { type Bench, type Measurement, postJson, type Row, readSettings, withDeadline } from "../harness.js";

const STREAMS = 1_000;
const STEP_LIMIT_S = 60;

/**
 * SSE fan-out (issue 11): 1,000 streams open on GET /v1/events/stream, one change committed
 * (POST /v1/tags), and the time from sending that change until each stream has its event (goal:
 * p50 < 100 ms). The floor is a bare Fastify route holding 1,000 event streams and a POST that
 * writes one line to each: no database, NOTIFY, credential or visibility check. The clients read
 * in a worker thread; each side opens its streams, sends one warm-up event, then measured ones.
 */
export async function run(bench: Bench): Promise<Row> {
  const rounds = readSettings().quick ? 1 : 5;
  const realUrl = await bench.startApp({ VOLTASIS_STREAMS_PER_CREDENTIAL: String(STREAMS) });
  const { secret } = await registerWithKey(realUrl, ["admin"]);
  const floorUrl = await bench.startFloor(floorRoutes);
  const clients = new StreamClients();
  try {
    const floor = await fanOut(clients, "floor", `${floorUrl}/stream`, {}, rounds, (marker) =>
      postJson(`${floorUrl}/trigger`, { marker }),
    );
    const real = await fanOut(
      clients,
      "real",
      `${realUrl}/v1/events/stream`,
      { authorization: `Bearer ${secret}`, accept: "text/event-stream" },
      rounds,
      (marker) => postJson(`${realUrl}/v1/tags`, { name: marker }, secret),
    );
    return {
      scenario: `SSE fan-out: one event to ${STREAMS.toLocaleString("en-US")} open streams (${rounds} events)`,
      real,
      floor,
      ratio: real.p50Ms / floor.p50Ms,
      goal: 0,
      maxP50Ms: 100,
    };
  } finally {
    await clients.terminate();
  }
}

/** A bare SSE server: hold every stream, write one event line to all of them on demand. */
function floorRoutes(app: FastifyInstance) {
  const open = new Set<FastifyReply["raw"]>();
  app.get("/stream", (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
    reply.raw.write("retry: 3000\n\n");
    open.add(reply.raw);
    reply.raw.on("close", () => open.delete(reply.raw));
  });
  app.post("/trigger", async (request) => {
    const { marker } = request.body as { marker: string };
    const frame = `event: tag.created\ndata: ${JSON.stringify({ marker })}\n\n`;
    for (const raw of open) raw.write(frame);
    return { data: null };
  });
}

/** Opens the streams, sends a warm-up event and `rounds` measured ones, one at a time, and hangs up. */
async function fanOut(
  clients: StreamClients,
  side: string,
  url: string,
  headers: Record<string, string>,
  rounds: number,
  send: (marker: string) => Promise<unknown>,
): Promise<Measurement> {
  await clients.ask({ type: "open", url, headers, count: STREAMS }, "opened");
  const latencies: number[] = [];
  try {
    for (let round = 0; round <= rounds; round++) {
      const marker = `fanout-${randomBytes(6).toString("hex")}`;
      await clients.ask({ type: "expect", marker }, "expecting");
      // Listening before sending: events may arrive before the change's own response does.
      const arrival = clients.ask(null, "arrived");
      arrival.catch(() => {});
      const sentAt = performance.timeOrigin + performance.now();
      await send(marker);
      const { times } = (await arrival) as { times: number[] };
      if (round === 0) continue;
      const these = times.map((at) => at - sentAt);
      latencies.push(...these);
      process.stderr.write(
        `  ${side} ${round}/${rounds}: p50 ${percentile(these, 50)} ms, last ${percentile(these, 100)} ms\n`,
      );
    }
  } finally {
    await clients.ask({ type: "close" }, "closed");
  }
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  return {
    requestsPerSecond: 1000 / mean,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
}

/** The worker of sse-clients.mjs, asked one thing at a time. */
class StreamClients {
  private readonly worker = new Worker(new URL("../sse-clients.mjs", import.meta.url));

  /** Posts `message` (if any) and waits for the worker's answer of type `answer`. */
  ask(message: object | null, answer: string): Promise<Record<string, unknown>> {
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (received: { type: string; message?: string }) => {
        if (received.type !== answer && received.type !== "error") return;
        this.worker.off("message", onMessage);
        if (received.type === "error") reject(new Error(`stream clients: ${received.message}`));
        else resolve(received);
      };
      this.worker.on("message", onMessage);
    });
    if (message) this.worker.postMessage(message);
    return withDeadline(reply, STEP_LIMIT_S, `stream clients (${answer})`);
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
