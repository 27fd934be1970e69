import { parse } from "csv-parse/sync";
import type { FastifyInstance } from "fastify";
import { expect, vi } from "vitest";
import { call } from "../../../test/helpers/fixtures.js";
import type { Job } from "./schemas.js";

/** Requests about jobs on behalf of one token, and a bounded wait for a job to finish. */
export function jobApi(app: FastifyInstance) {
  return {
    async create(token: string, type: string, params: Record<string, unknown>) {
      const res = await call(app, token, { method: "POST", url: "/v1/jobs", payload: { type, params } });
      expect(res.statusCode, res.body).toBe(202);
      return res.json().data as Job;
    },

    get: (token: string, id: string) => call(app, token, { method: "GET", url: `/v1/jobs/${id}` }),
    result: (token: string, id: string) => call(app, token, { method: "GET", url: `/v1/jobs/${id}/result` }),

    /** Polls GET /v1/jobs/{id} until the job has succeeded or failed (at most `timeoutMs`). */
    async finished(token: string, id: string, timeoutMs = 30_000): Promise<Job> {
      return vi.waitFor(
        async () => {
          const res = await call(app, token, { method: "GET", url: `/v1/jobs/${id}` });
          const job = res.json().data as Job;
          if (job.status !== "succeeded" && job.status !== "failed") throw new Error(`job is ${job.status}`);
          return job;
        },
        { timeout: timeoutMs, interval: 50 },
      );
    },
  };
}

/** A CSV text as records of named cells. */
export const csvRecords = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;

/** An import's result summary (fails the test for any other kind of job). */
export function importSummary(job: Job) {
  const result = job.result;
  if (!result || !("errors" in result)) throw new Error(`not an import result: ${JSON.stringify(result)}`);
  return result;
}
