import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { pageWindow, paginationBlock } from "../../platform/pagination.js";
import {
  CreateMemberBody,
  ListMembersQuery,
  MemberParams,
  MemberSchema,
  UpdateMemberBody,
} from "./schemas.js";
import { createMemberService } from "./service.js";

export const memberRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const members = createMemberService(deps);
  const tags = ["users"];
  const member = Type.Ref(MemberSchema);

  app.get(
    "/users",
    {
      config: { access: "read:users" },
      schema: {
        tags,
        summary: "List the organization's members, oldest membership first",
        querystring: ListMembersQuery,
        response: { 200: ListEnvelope(member) },
      },
    },
    async (request) => {
      const { status, role, ...page } = request.query;
      const window = pageWindow(page);
      const { items, total } = await members.list(request.org, { status, role }, window);
      return okList(request, items, paginationBlock(window, total));
    },
  );

  app.get(
    "/users/:id",
    {
      config: { access: "read:users" },
      schema: {
        tags,
        summary: "One member",
        params: MemberParams,
        response: { 200: Envelope(member) },
      },
    },
    async (request) => ok(request, await members.get(request.org, request.params.id)),
  );

  app.post(
    "/users",
    {
      config: { access: "write:users" },
      schema: {
        tags,
        summary: "Add a member: an existing account by e-mail, or a new one",
        description: "Without a password a new account cannot sign in yet. Only an owner may grant `owner`.",
        body: CreateMemberBody,
        response: { 201: Envelope(member) },
      },
    },
    async (request, reply) => {
      const added = await members.add(request.org, request.principal, request.body);
      reply.status(201);
      return ok(request, added);
    },
  );

  app.patch(
    "/users/:id",
    {
      config: { access: "write:users" },
      schema: {
        tags,
        summary: "Rename a member, change their role, or deactivate or reactivate them",
        description:
          "Only an owner may grant `owner` or change an owner; the last active owner cannot be demoted " +
          "or deactivated; nobody can change their own role.",
        params: MemberParams,
        body: UpdateMemberBody,
        response: { 200: Envelope(member) },
      },
    },
    async (request) =>
      ok(request, await members.update(request.org, request.principal, request.params.id, request.body)),
  );

  app.delete(
    "/users/:id",
    {
      config: { access: "delete:users" },
      schema: {
        tags,
        summary: "Deactivate a member: their sessions here end, their data stays",
        params: MemberParams,
        response: { 204: NoContent("Member deactivated") },
      },
    },
    async (request, reply) => {
      await members.deactivate(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );
};
