import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type TObject, Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { registerBulkRoutes } from "./bulk-routes.js";
import { ExpandedTimeEntrySchema, ExpandQuery, expandEntries, parseExpand } from "./expand.js";
import { timeEntryVersion } from "./format.js";
import {
  CreateTimeEntryBody,
  ListTimeEntriesQuery,
  StartTimerBody,
  type TimeEntry,
  TimeEntryParams,
  TimeEntrySchema,
  UpdateTimeEntryBody,
} from "./schemas.js";
import { createTimeEntryService } from "./service.js";

const RULES =
  "Members act on their own entries only (another member's entry is a 403 `not_owner`); managers and " +
  "above on everyone's. Entries starting before the organization's `lock_date` are read-only (409 `locked`); " +
  "with `prevent_overlaps` one user's entries may not overlap (409 `overlap`); a user has at most one " +
  "running timer (409 `timer_running`).";

export const timeEntryRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const entries = createTimeEntryService(deps);
  const tags = ["time-entries"];
  const entry = Envelope(TimeEntrySchema);
  // v2 (beta) adds `expand` to every read of entries and the bulk routes; v1 stays as it was.
  const v2 = deps.version === "v2";
  const item = v2 ? ExpandedTimeEntrySchema : TimeEntrySchema;
  const withExpand = <T extends TObject>(query: T) =>
    v2 ? Type.Object({ ...query.properties, expand: ExpandQuery }, { additionalProperties: false }) : query;
  const expanded = async (request: FastifyRequest, list: TimeEntry[]) =>
    v2
      ? expandEntries(
          deps.db,
          request.org,
          list,
          parseExpand(request.principal, (request.query as { expand?: string }).expand),
        )
      : list;
  // A running timer's ETag follows its stored version, not its ticking duration (SPEC §8).
  const one = (data: unknown) => (data === null ? null : timeEntryVersion(data as TimeEntry));
  const many = (data: unknown) => (data as TimeEntry[]).map(timeEntryVersion);

  app.get(
    "/time-entries",
    {
      config: { access: "read:time-entries", etagView: many },
      schema: {
        tags,
        operationId: "timeEntries.list",
        summary: "List time entries, newest start first (members: their own)",
        description:
          "Filters: `user_id`, `project_id`, `task_id`, `tag_id`, `billable`, `running`, and `from`/`to` on " +
          "`start`. Sort by `start` (default, desc), `end`, `duration` or `created_at`. Pages by " +
          "`limit`/`offset`, `page`/`per_page`, or the cursor `starting_after` (with sort `start` or " +
          "`created_at`). Running timers count as ending last and show the seconds elapsed so far.",
        querystring: withExpand(ListTimeEntriesQuery),
        response: { 200: ListEnvelope(item) },
      },
    },
    async (request) => {
      const { expand: _expand, ...query } = request.query as ListTimeEntriesQuery & { expand?: string };
      const { items, pagination } = await entries.list(request.org, request.principal, query);
      return okList(request, await expanded(request, items), pagination);
    },
  );

  app.get(
    "/time-entries/current",
    {
      config: { access: "read:time-entries", etagView: one },
      schema: {
        tags,
        operationId: "timeEntries.current",
        summary: "The caller's running timer; data is null when none runs",
        querystring: withExpand(Type.Object({}, { additionalProperties: false })),
        response: { 200: Envelope(Type.Union([Type.Ref(item), Type.Null()])) },
      },
    },
    async (request) => {
      const running = await entries.current(request.org, request.principal);
      return ok(request, running && (await expanded(request, [running]))[0]);
    },
  );

  app.get(
    "/time-entries/:id",
    {
      config: { access: "read:time-entries", etagView: one },
      schema: {
        operationId: "timeEntries.retrieve",
        tags,
        summary: "One time entry",
        params: TimeEntryParams,
        querystring: withExpand(Type.Object({}, { additionalProperties: false })),
        response: { 200: Envelope(item) },
      },
    },
    async (request) => {
      const found = await entries.get(request.org, request.principal, request.params.id);
      return ok(request, (await expanded(request, [found]))[0]);
    },
  );

  app.post(
    "/time-entries",
    {
      config: { access: "write:time-entries" },
      schema: {
        tags,
        operationId: "timeEntries.create",
        summary: "Create a time entry; without end it is a running timer",
        description: `Send \`end\` or \`duration\` (never both: duration is derived). ${RULES}`,
        body: CreateTimeEntryBody,
        response: { 201: entry },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return ok(request, await entries.create(request.org, request.principal, request.body));
    },
  );

  app.post(
    "/time-entries/start",
    {
      config: { access: "write:time-entries" },
      schema: {
        tags,
        operationId: "timeEntries.start",
        summary: "Start a timer now (or at `start`); 409 while another of the user's timers runs",
        description: `The body is optional. ${RULES}`,
        body: StartTimerBody,
        response: { 201: entry },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      reply.status(201);
      return ok(request, await entries.start(request.org, request.principal, request.body ?? {}));
    },
  );

  app.post(
    "/time-entries/:id/stop",
    {
      config: { access: "write:time-entries" },
      schema: {
        tags,
        operationId: "timeEntries.stop",
        summary: "Stop a running timer: end becomes now; 409 `not_running` if it has ended",
        params: TimeEntryParams,
        response: { 200: entry },
      },
    },
    async (request) => ok(request, await entries.stop(request.org, request.principal, request.params.id)),
  );

  for (const method of ["put", "patch"] as const) {
    app[method](
      "/time-entries/:id",
      {
        config: { access: "write:time-entries", etagView: one },
        schema: {
          tags,
          operationId: "timeEntries.update",
          summary: "Change some fields of a time entry (PUT and PATCH alike: only the fields sent change)",
          description:
            "Changing `hourly_rate`, `project_id` or `user_id` works the effective rate out again; " +
            `\`tag_ids\` replaces the tags; \`end: null\` makes the entry a running timer again. ${RULES}`,
          params: TimeEntryParams,
          body: UpdateTimeEntryBody,
          response: { 200: entry },
        },
      },
      async (request) =>
        ok(request, await entries.update(request.org, request.principal, request.params.id, request.body)),
    );
  }

  app.delete(
    "/time-entries/:id",
    {
      config: { access: "delete:time-entries" },
      schema: {
        tags,
        operationId: "timeEntries.delete",
        summary: "Delete a time entry",
        params: TimeEntryParams,
        response: { 204: NoContent("Deleted") },
      },
    },
    async (request, reply) => {
      await entries.remove(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );

  if (v2) registerBulkRoutes(app, deps);
};
