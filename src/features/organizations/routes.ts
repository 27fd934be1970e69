import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { Envelope, ListEnvelope, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { pageWindow, paginationBlock } from "../../platform/pagination.js";
import {
  ListOrganizationsQuery,
  OrganizationMembershipSchema,
  OrganizationSchema,
  UpdateOrganizationBody,
} from "./schemas.js";
import { createOrganizationService } from "./service.js";

export const organizationRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const organizations = createOrganizationService(deps);
  const tags = ["organization"];

  app.get(
    "/organization",
    {
      config: { access: "read:organization" },
      schema: {
        tags,
        operationId: "organization.retrieve",
        summary: "The organization the credential acts for",
        response: { 200: Envelope(Type.Ref(OrganizationSchema)) },
      },
    },
    async (request) => ok(request, await organizations.get(request.org)),
  );

  app.patch(
    "/organization",
    {
      config: { access: "write:organization" },
      schema: {
        tags,
        operationId: "organization.update",
        summary: "Rename the organization or change its plan (plan: owner only)",
        body: UpdateOrganizationBody,
        response: { 200: Envelope(Type.Ref(OrganizationSchema)) },
      },
    },
    async (request) => ok(request, await organizations.update(request.org, request.principal, request.body)),
  );

  app.get(
    "/organizations",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        operationId: "organizations.list",
        summary: "The organizations the caller is an active member of, with the caller's role in each",
        description:
          "For an API key, only the key's organization. Use an id from here in `X-Organization-ID` " +
          "to act for another organization with a user token.",
        querystring: ListOrganizationsQuery,
        response: { 200: ListEnvelope(Type.Ref(OrganizationMembershipSchema)) },
      },
    },
    async (request) => {
      const window = pageWindow(request.query);
      const { items, total } = await organizations.listMine(request.org, request.principal, window);
      return okList(request, items, paginationBlock(window, total));
    },
  );
};
