import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, NoContent, ok } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { LoginBody, MeResponse, RefreshBody, RegisterBody, TokenResponse } from "./schemas.js";
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
};
