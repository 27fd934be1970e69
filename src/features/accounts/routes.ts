import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, NoContent, ok } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import {
  AcceptInvitationBody,
  LoginBody,
  MeResponse,
  RefreshBody,
  RegisterBody,
  TokenResponse,
  UpdateProfileBody,
} from "./schemas.js";
import { createAccountService } from "./service.js";

export const accountRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const accounts = createAccountService(deps);
  const tags = ["auth"];

  app.post(
    "/register",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "Create a user and their organization (owner role), and sign in",
        body: RegisterBody,
        response: { 201: Envelope(TokenResponse) },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return ok(request, await accounts.register(request.body));
    },
  );

  app.post(
    "/login",
    {
      // signIn: failed attempts are limited per e-mail and per IP against guessing (SPEC §4).
      config: { access: "public", signIn: true },
      schema: {
        tags,
        summary: "Exchange e-mail and password for an access token (24 h) and a refresh token (30 days)",
        body: LoginBody,
        response: { 200: Envelope(TokenResponse) },
      },
    },
    async (request) => ok(request, await accounts.login(request.body)),
  );

  app.post(
    "/refresh",
    {
      // signIn: failed attempts are limited per e-mail and per IP against guessing (SPEC §4).
      config: { access: "public", signIn: true },
      schema: {
        tags,
        summary: "Rotate a refresh token: returns a new pair; re-using a spent token ends the session",
        body: RefreshBody,
        response: { 200: Envelope(TokenResponse) },
      },
    },
    async (request) => ok(request, await accounts.refresh(request.body.refresh_token)),
  );

  app.post(
    "/logout",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "End the current session: its access and refresh tokens stop working",
        response: { 204: NoContent("Session ended") },
      },
    },
    async (request, reply) => {
      await accounts.logout(request.principal);
      return reply.status(204).send();
    },
  );

  app.get(
    "/me",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Who the credential belongs to (seed 001)",
        response: { 200: Envelope(MeResponse) },
      },
    },
    async (request) => ok(request, accounts.me(request.principal)),
  );

  app.patch(
    "/me",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Change your own name, e-mail or password",
        description:
          "Needs a user access token: a profile is its person's alone. Changing the e-mail or the password " +
          "needs `current_password`; a new password ends your other sessions.",
        body: UpdateProfileBody,
        response: { 200: Envelope(MeResponse) },
      },
    },
    async (request) => ok(request, await accounts.updateProfile(request.principal, request.body)),
  );
};

/** `POST /v1/invitations/accept`: the invitee's side of an invitation (SPEC §3). */
export const invitationAcceptRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const accounts = createAccountService(deps);

  app.post(
    "/invitations/accept",
    {
      // Public: a new account has no credential yet. A signed-in invitee sends their access token.
      config: { access: "public" },
      schema: {
        tags: ["users"],
        summary: "Accept an invitation: join the organization and sign in to it",
        description:
          "Without a credential, creates your account with `name` and `password` (409 `account_exists` if " +
          "the invited e-mail has one: sign in and accept with your access token instead). With a user " +
          "access token of the invited e-mail, joins with that account. Answers with tokens for the " +
          "organization joined.",
        security: [{}, { bearerAuth: [] }],
        body: AcceptInvitationBody,
        response: { 201: Envelope(TokenResponse) },
      },
    },
    async (request, reply) => {
      const header = request.headers.authorization;
      const principal = header === undefined ? undefined : await deps.authenticator.authenticate(header);
      reply.status(201);
      return ok(request, await accounts.acceptInvitation(request.body, principal));
    },
  );
};
