import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { Envelope, ok } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { SandboxSchema } from "./schemas.js";
import { createSandboxService } from "./service.js";

export const sandboxRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const sandboxes = createSandboxService(deps);
  const tags = ["sandbox"];
  const sandbox = Type.Ref(SandboxSchema);

  app.get(
    "/sandbox",
    {
      config: { access: "read:organization" },
      schema: {
        tags,
        operationId: "sandbox.retrieve",
        summary: "The organization's sandbox: its id and when its demo data was restored",
        description:
          "The same answer in live and in test mode. The sandbox is made on first use (this call, or the " +
          "first request of a `vlt_test_` key) with demo data, and you become a member of it with your " +
          "role in the live organization.",
        response: { 200: Envelope(sandbox) },
      },
    },
    async (request) => ok(request, await sandboxes.get(request.principal)),
  );

  app.post(
    "/sandbox/reset",
    {
      config: { access: "write:settings" },
      schema: {
        tags,
        operationId: "sandbox.reset",
        summary: "Delete the sandbox's data and restore its demo data now (owners and admins)",
        description:
          "From live or test mode. Deleted: time entries, projects, clients, tasks, tags, jobs, events and " +
          "webhook deliveries; restored: the demo members, settings and data. Kept: the sandbox's webhooks, " +
          "its members who came from the live organization, its request and audit log, and every API key " +
          "(keys belong to the live organization). The sandbox's webhooks receive `sandbox.reset`. Runs " +
          "by itself every day at 00:00 UTC.",
        response: { 200: Envelope(sandbox) },
      },
    },
    async (request) => ok(request, await sandboxes.reset(request.org, request.principal)),
  );
};
