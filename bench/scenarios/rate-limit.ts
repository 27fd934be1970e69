import { alternate, type Bench, compare, measure, type Row } from "../harness.js";
import { createApiKey } from "./auth-me.js";

/**
 * What counting costs: the same app and the same authenticated route, with rate limits on (the
 * real app: a per-minute count per key in process memory, and the three headers) and off
 * (`VOLTASIS_RATE_LIMITS=off`, for benchmarks only). BENCH_ENV's plan is far above what a run
 * sends, so every request is admitted and counted. Goal: counting keeps 90 % of the throughput.
 */
export async function run(bench: Bench): Promise<Row> {
  const secret = await createApiKey(bench.realUrl);
  const withoutLimits = await bench.startApp({ VOLTASIS_RATE_LIMITS: "off" });
  const request = { headers: { authorization: `Bearer ${secret}` } };
  const { real, floor } = await alternate(
    () => measure(`${bench.realUrl}/v1/auth/me`, request),
    () => measure(`${withoutLimits}/v1/auth/me`, request),
  );
  return compare("GET /v1/auth/me, limits on vs off", real, floor, 0.9);
}
