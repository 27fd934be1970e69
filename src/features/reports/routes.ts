import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { DetailedEntrySchema, DetailedQuery, SummaryQuery, SummarySchema } from "./schemas.js";
import { createReportService } from "./service.js";

const PERIOD_NOTE =
  "The period is `from` (inclusive) to `to` (exclusive), by each entry's start; without them, the current " +
  "month in the organization's timezone. Running timers are not included. Members see only their own time.";

export const reportRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const reports = createReportService(deps);
  const tags = ["reports"];

  app.get(
    "/reports/summary",
    {
      config: { access: "read:reports" },
      schema: {
        tags,
        operationId: "reports.summary",
        summary: "Time and money per project, client, task, tag, user, day, week or month",
        description:
          `${PERIOD_NOTE} Day, week and month buckets are local dates in the organization's timezone ` +
          "(week_start decides Monday or Sunday); an entry counts in the bucket of its start. With a tag " +
          "grouping an entry with two tags counts in both groups, entries without tags form the group " +
          "with `tag_id: null`, and the totals still count each entry once.",
        querystring: SummaryQuery,
        response: { 200: Envelope(SummarySchema) },
      },
    },
    async (request) => ok(request, await reports.summary(request.org, request.principal, request.query)),
  );

  app.get(
    "/reports/detailed",
    {
      config: { access: "read:reports" },
      schema: {
        tags,
        operationId: "reports.detailed",
        summary: "The time entries of a period with their amounts, a page at a time",
        description: `${PERIOD_NOTE} Sorted by start, oldest first unless \`order=desc\`.`,
        querystring: DetailedQuery,
        response: { 200: ListEnvelope(DetailedEntrySchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await reports.detailed(request.org, request.principal, request.query);
      return okList(request, items, pagination);
    },
  );
};
