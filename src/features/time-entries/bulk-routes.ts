import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { Envelope, NoContent, ok } from "../../platform/envelope.js";
import type { FeatureDeps } from "../../platform/feature.js";
import {
  BulkCreateBody,
  BulkDeleteBody,
  BulkUpdateBody,
  createBulkTimeEntries,
  MAX_BULK_ITEMS,
} from "./bulk.js";
import { TimeEntrySchema } from "./schemas.js";

const ALL_OR_NOTHING =
  `All or nothing: if any item fails, nothing is written and the answer is a 400 with ` +
  "`details.reason: bulk_items_failed` and `details.errors`, one per failed item with its `index`, " +
  "`code`, `message` and `details`. Each item follows the rules of the single-entry route.";

/** v2's bulk time entries (SPEC §8): up to 100 at once. */
export function registerBulkRoutes(fastify: FastifyInstance, deps: FeatureDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const bulk = createBulkTimeEntries(deps);
  const tags = ["time-entries"];
  const entries = Envelope(Type.Array(Type.Ref(TimeEntrySchema)));

  app.post(
    "/time-entries/bulk",
    {
      config: { access: "write:time-entries" },
      schema: {
        tags,
        operationId: "timeEntries.bulkCreate",
        summary: `Create up to ${MAX_BULK_ITEMS} time entries at once`,
        description: ALL_OR_NOTHING,
        body: BulkCreateBody,
        response: { 201: entries },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return ok(request, await bulk.create(request.org, request.principal, request.body.items));
    },
  );

  app.patch(
    "/time-entries/bulk",
    {
      config: { access: "write:time-entries" },
      schema: {
        tags,
        operationId: "timeEntries.bulkUpdate",
        summary: `Change up to ${MAX_BULK_ITEMS} time entries at once`,
        description: `Each item is \`{id, …fields}\`: only the fields sent change. ${ALL_OR_NOTHING}`,
        body: BulkUpdateBody,
        response: { 200: entries },
      },
    },
    async (request) => ok(request, await bulk.update(request.org, request.principal, request.body.items)),
  );

  app.delete(
    "/time-entries/bulk",
    {
      config: { access: "delete:time-entries" },
      schema: {
        tags,
        operationId: "timeEntries.bulkDelete",
        summary: `Delete up to ${MAX_BULK_ITEMS} time entries at once`,
        description: ALL_OR_NOTHING,
        body: BulkDeleteBody,
        response: { 204: NoContent("All deleted") },
      },
    },
    async (request, reply) => {
      await bulk.remove(request.org, request.principal, request.body.ids);
      return reply.status(204).send();
    },
  );
}
