import { fileURLToPath } from "node:url";
import { alternate, type Bench, compare, measure, postJson, type Row } from "../harness.js";
import { createApiKey } from "./auth-me.js";

const FRESH_KEY = fileURLToPath(new URL("../idempotency-key.cjs", import.meta.url));

/**
 * SPEC §8's idempotency keys cost a claim (one INSERT … ON CONFLICT) before the handler and the
 * stored response (one UPDATE) after it. Measured as the same POST /v1/time-entries with a fresh
 * Idempotency-Key per request beside the plain POST: the floor here is the route without keys.
 * Goal: the idempotent POST keeps >= 0.8 of the plain one's throughput.
 */
export async function run(bench: Bench): Promise<Row> {
  const secret = await createApiKey(bench.realUrl, ["write:time-entries"]);
  await postJson(`${bench.realUrl}/v1/time-entries`, { start: "2024-01-01T09:00:00Z", duration: 60 }, secret);
  const post = (idempotent: boolean) => ({
    method: "POST" as const,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ start: "2024-01-01T09:00:00Z", duration: 60, description: "bench" }),
    // In autocannon's worker thread a setupRequest is a module's path (see the .cjs).
    ...(idempotent ? { requests: [{ setupRequest: FRESH_KEY as never }] } : {}),
  });
  const { real, floor } = await alternate(
    () => measure(`${bench.realUrl}/v1/time-entries`, post(true)),
    () => measure(`${bench.realUrl}/v1/time-entries`, post(false)),
  );
  return compare("POST /v1/time-entries with Idempotency-Key vs without", real, floor, 0.8);
}
