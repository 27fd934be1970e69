import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { pageWindow, paginationBlock } from "../../platform/pagination.js";
import { createInvitationService } from "./invitations.js";
import {
  InvitationParams,
  InvitationSchema,
  InvitationWithTokenSchema,
  InviteMemberBody,
  ListInvitationsQuery,
  ListMembersQuery,
  MemberParams,
  MemberSchema,
  UpdateMemberBody,
} from "./schemas.js";
import { createMemberService } from "./service.js";

export const memberRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const members = createMemberService(deps);
  const invitations = createInvitationService(deps);
  const tags = ["users"];
  const member = Type.Ref(MemberSchema);
  const invitation = Type.Ref(InvitationSchema);

  app.get(
    "/users",
    {
      config: { access: "read:users" },
      schema: {
        tags,
        operationId: "users.list",
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
        operationId: "users.retrieve",
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
      config: { access: "write:users", liveOnly: true },
      schema: {
        tags,
        operationId: "users.invite",
        summary: "Invite a member by e-mail; the one-time token is in this response only",
        description:
          "Creates an invitation (status `invited`, valid 7 days). Send the `invitation_url` (or the " +
          "`token`) to the invitee, who accepts with `POST /v1/invitations/accept`: a new account sets its " +
          "name and password there, an existing one signs in first. Nothing in this answer says whether " +
          "the e-mail already has an account. Only an owner may invite an owner.",
        body: InviteMemberBody,
        response: { 201: Envelope(InvitationWithTokenSchema) },
      },
    },
    async (request, reply) => {
      const origin = `${request.protocol}://${request.host}`;
      const created = await invitations.invite(request.org, request.principal, request.body, origin);
      reply.status(201);
      return ok(request, created);
    },
  );

  app.get(
    "/invitations",
    {
      config: { access: "read:users" },
      schema: {
        tags,
        operationId: "invitations.list",
        summary: "List the organization's invitations, newest first",
        querystring: ListInvitationsQuery,
        response: { 200: ListEnvelope(invitation) },
      },
    },
    async (request) => {
      const { status, ...page } = request.query;
      const window = pageWindow(page);
      const { items, total } = await invitations.list(request.org, { status }, window);
      return okList(request, items, paginationBlock(window, total));
    },
  );

  app.get(
    "/invitations/:id",
    {
      config: { access: "read:users" },
      schema: {
        tags,
        operationId: "invitations.retrieve",
        summary: "One invitation (never its token)",
        params: InvitationParams,
        response: { 200: Envelope(invitation) },
      },
    },
    async (request) => ok(request, await invitations.get(request.org, request.params.id)),
  );

  app.delete(
    "/invitations/:id",
    {
      config: { access: "write:users", liveOnly: true },
      schema: {
        tags,
        operationId: "invitations.delete",
        summary: "Revoke an invitation: its token stops working at once",
        params: InvitationParams,
        response: { 204: NoContent("Revoked (or already closed)") },
      },
    },
    async (request, reply) => {
      await invitations.revoke(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );

  app.patch(
    "/users/:id",
    {
      config: { access: "write:users", liveOnly: true },
      schema: {
        tags,
        operationId: "users.update",
        summary: "Change a member's role, or deactivate or reactivate them",
        description:
          "Only an owner may grant `owner` or change an owner; the last active owner cannot be demoted " +
          "or deactivated; nobody can change their own role. A person's name, e-mail and password are " +
          "theirs to change (`PATCH /v1/auth/me`).",
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
      config: { access: "delete:users", liveOnly: true },
      schema: {
        tags,
        operationId: "users.delete",
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
