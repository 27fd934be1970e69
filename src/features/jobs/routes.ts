import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { Envelope, ListEnvelope, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { CreateJobBody, JobParams, JobSchema, ListJobsQuery } from "./schemas.js";
import { createJobService } from "./service.js";

// The app takes 1 MiB bodies; an import carries its CSV file, and 50,000 rows run to ~10 MB.
const IMPORT_BODY_LIMIT_BYTES = 32 * 1_048_576;

export const jobRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const jobs = createJobService(deps);
  const tags = ["jobs"];
  const job = Envelope(JobSchema);

  app.post(
    "/jobs",
    {
      config: { access: "write:jobs" },
      bodyLimit: IMPORT_BODY_LIMIT_BYTES,
      schema: {
        tags,
        operationId: "jobs.create",
        summary: "Start a background job: an export or an import of time entries",
        description:
          "Answers 202 with the job, `queued`; poll `GET /v1/jobs/{id}` until it has `succeeded` or " +
          "`failed`, then download `GET /v1/jobs/{id}/result`. `export.time_entries` takes `format` " +
          "(`csv` or `json`) and the filters of `GET /v1/time-entries`; `import.time_entries` takes " +
          "`csv` (the file's text, up to 32 MiB), `mode` (`all_or_nothing` or `valid_rows`), `source` " +
          "(`voltasis`, whose header is the export's, or `toggl`, `clockify`, `harvest` for those " +
          "products' exports), `timezone`, `date_format`, `unknown_people` and `dry_run`, and also needs " +
          "`write:time-entries` (and `write:clients`, `write:projects`, `write:tasks`, `write:tags` to " +
          "create what another product's file names). Imports apply the rules of `POST /v1/time-entries` " +
          "to every row and skip rows imported before; members export and import only their own entries.",
        body: CreateJobBody,
        response: { 202: job },
      },
    },
    async (request, reply) => {
      reply.status(202);
      return ok(request, await jobs.create(request.org, request.principal, request.body as CreateJobBody));
    },
  );

  app.get(
    "/jobs",
    {
      config: { access: "read:jobs" },
      schema: {
        tags,
        operationId: "jobs.list",
        summary: "List jobs, newest first (members: their own)",
        description: "Filters: `type`, `status`, and `from`/`to` on `created_at`.",
        querystring: ListJobsQuery,
        response: { 200: ListEnvelope(JobSchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await jobs.list(request.org, request.principal, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/jobs/:id",
    {
      config: { access: "read:jobs" },
      schema: {
        tags,
        operationId: "jobs.retrieve",
        summary: "One job: status, progress and result summary",
        params: JobParams,
        response: { 200: job },
      },
    },
    async (request) => ok(request, await jobs.get(request.org, request.principal, request.params.id)),
  );

  app.get(
    "/jobs/:id/result",
    {
      config: { access: "read:jobs" },
      schema: {
        tags,
        operationId: "jobs.result",
        summary: "Download what a job produced: the export file, or an import's full report",
        description:
          "The file itself, not an envelope, as an attachment: `text/csv` or `application/json` for an " +
          "export, `application/json` for an import's report (every row error, not only the first 100). " +
          "409 `job_not_finished` while the job is queued or running; 409 `job_failed` for a job that " +
          "failed without producing anything (an import refused in `all_or_nothing` mode still has its report).",
        params: JobParams,
        response: {
          200: {
            description: "The file",
            content: {
              "text/csv": { schema: Type.String({ description: "CSV with a header row" }) },
              "application/json": {
                schema: Type.Unknown({ description: "An array of time entries, or an import report" }),
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const file = await jobs.result(request.org, request.principal, request.params.id);
      return reply
        .type(file.contentType)
        .header("Content-Disposition", `attachment; filename="${file.filename}"`)
        .send(file.body);
    },
  );
};
