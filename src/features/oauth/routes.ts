import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { createOAuthAppService } from "./apps-service.js";
import { createAuthorizationService } from "./authorization-service.js";
import { createOAuthGrantService } from "./grants-service.js";
import {
  ApproveBody,
  CreateOAuthAppBody,
  ListOAuthAppsQuery,
  ListOAuthGrantsQuery,
  OAuthAppParams,
  OAuthAppSchema,
  OAuthAppWithSecretSchema,
  OAuthAuthorizationRequestParams,
  OAuthAuthorizationRequestSchema,
  OAuthDecisionSchema,
  OAuthGrantParams,
  OAuthGrantSchema,
  UpdateOAuthAppBody,
} from "./schemas.js";

/**
 * `/v1/oauth/…`: what the API says about OAuth (issue 14). The protocol's own endpoints
 * (`/oauth/authorize`, `/oauth/token`, `/oauth/revoke`, the RFC 8414 metadata) are in
 * protocol-routes.ts. Everything here belongs to the live organization (SPEC §8): test mode
 * answers 403 `live_only`.
 */
export const oauthRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const apps = createOAuthAppService(deps);
  const grants = createOAuthGrantService(deps);
  const authorization = createAuthorizationService(deps);

  const appTags = ["oauth-apps"];
  app.post(
    "/apps",
    {
      config: { access: "write:oauth-apps", liveOnly: true },
      schema: {
        tags: appTags,
        operationId: "oauthApps.create",
        summary: "Register a third-party app; a confidential app's client secret is in this response only",
        description:
          "Redirect URIs are matched exactly. A `public` app (single-page or native) gets no secret and " +
          "authenticates with PKCE alone; every app must use PKCE (S256).",
        body: CreateOAuthAppBody,
        response: { 201: Envelope(OAuthAppWithSecretSchema) },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return ok(request, await apps.create(request.org, request.principal, request.body));
    },
  );

  app.get(
    "/apps",
    {
      config: { access: "read:oauth-apps", liveOnly: true },
      schema: {
        tags: appTags,
        operationId: "oauthApps.list",
        summary: "List the organization's OAuth apps, newest first",
        querystring: ListOAuthAppsQuery,
        response: { 200: ListEnvelope(OAuthAppSchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await apps.list(request.org, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/apps/:id",
    {
      config: { access: "read:oauth-apps", liveOnly: true },
      schema: {
        tags: appTags,
        operationId: "oauthApps.retrieve",
        summary: "Get an OAuth app (never its secret)",
        params: OAuthAppParams,
        response: { 200: Envelope(OAuthAppSchema) },
      },
    },
    async (request) => ok(request, await apps.get(request.org, request.params.id)),
  );

  app.patch(
    "/apps/:id",
    {
      config: { access: "write:oauth-apps", liveOnly: true },
      schema: {
        tags: appTags,
        operationId: "oauthApps.update",
        summary: "Rename an OAuth app or change its redirect URIs",
        params: OAuthAppParams,
        body: UpdateOAuthAppBody,
        response: { 200: Envelope(OAuthAppSchema) },
      },
    },
    async (request) =>
      ok(request, await apps.update(request.org, request.principal, request.params.id, request.body)),
  );

  app.delete(
    "/apps/:id",
    {
      config: { access: "delete:oauth-apps", liveOnly: true },
      schema: {
        tags: appTags,
        operationId: "oauthApps.delete",
        summary: "Delete an OAuth app: its client id, every consent and every token it had stop working",
        params: OAuthAppParams,
        response: { 204: NoContent("Deleted") },
      },
    },
    async (request, reply) => {
      await apps.delete(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    "/apps/:id/rotate-secret",
    {
      config: { access: "write:oauth-apps", liveOnly: true },
      schema: {
        tags: appTags,
        operationId: "oauthApps.rotateSecret",
        summary: "Issue a new client secret; the old one stops at once (tokens already issued keep working)",
        params: OAuthAppParams,
        response: { 200: Envelope(OAuthAppWithSecretSchema) },
      },
    },
    async (request) =>
      ok(request, await apps.rotateSecret(request.org, request.principal, request.params.id)),
  );

  const grantTags = ["oauth-grants"];
  app.get(
    "/grants",
    {
      config: { access: "read:oauth-grants", liveOnly: true },
      schema: {
        tags: grantTags,
        operationId: "oauthGrants.list",
        summary: "List the apps people authorized here (owners and admins see all, others their own)",
        querystring: ListOAuthGrantsQuery,
        response: { 200: ListEnvelope(OAuthGrantSchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await grants.list(request.org, request.principal, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/grants/:id",
    {
      config: { access: "read:oauth-grants", liveOnly: true },
      schema: {
        tags: grantTags,
        operationId: "oauthGrants.retrieve",
        summary: "Get an app authorization",
        params: OAuthGrantParams,
        response: { 200: Envelope(OAuthGrantSchema) },
      },
    },
    async (request) => ok(request, await grants.get(request.org, request.principal, request.params.id)),
  );

  app.delete(
    "/grants/:id",
    {
      config: { access: "delete:oauth-grants", liveOnly: true },
      schema: {
        tags: grantTags,
        operationId: "oauthGrants.delete",
        summary: "Revoke an app's authorization: its tokens stop at once; revoking twice is a no-op",
        params: OAuthGrantParams,
        response: { 204: NoContent("Revoked") },
      },
    },
    async (request, reply) => {
      await grants.revoke(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );

  const consentTags = ["oauth-consent"];
  const personOnly =
    "A person decides: only a user access token may call this (an API key or an app's OAuth token gets 403 `user_token_required`).";
  app.get(
    "/authorization-requests/:id",
    {
      config: { access: "authenticated", liveOnly: true },
      schema: {
        tags: consentTags,
        operationId: "oauthAuthorizationRequests.retrieve",
        summary: "What an app asks for, in words, and the organizations you may authorize it for",
        description: `The consent screen's content; \`GET /oauth/authorize\` sent the browser there with its id. ${personOnly}`,
        params: OAuthAuthorizationRequestParams,
        response: { 200: Envelope(OAuthAuthorizationRequestSchema) },
      },
    },
    async (request) => ok(request, await authorization.show(request.principal, request.params.id)),
  );

  app.post(
    "/authorization-requests/:id/approve",
    {
      config: { access: "authenticated", liveOnly: true },
      schema: {
        tags: consentTags,
        operationId: "oauthAuthorizationRequests.approve",
        summary: "Authorize the app in one of your organizations; send the browser to `redirect_to`",
        description: `The consent is remembered until revoked. A scope your role there cannot hold sends the app \`invalid_scope\` instead of a code. ${personOnly}`,
        params: OAuthAuthorizationRequestParams,
        body: ApproveBody,
        response: { 200: Envelope(OAuthDecisionSchema) },
      },
    },
    async (request) =>
      ok(
        request,
        await authorization.decide(
          request.principal,
          request.params.id,
          { approve: request.body.organization_id },
          request.id,
        ),
      ),
  );

  app.post(
    "/authorization-requests/:id/deny",
    {
      config: { access: "authenticated", liveOnly: true },
      schema: {
        tags: consentTags,
        operationId: "oauthAuthorizationRequests.deny",
        summary: "Refuse the app; send the browser to `redirect_to` (the app learns `access_denied`)",
        description: personOnly,
        params: OAuthAuthorizationRequestParams,
        response: { 200: Envelope(OAuthDecisionSchema) },
      },
    },
    async (request) =>
      ok(request, await authorization.decide(request.principal, request.params.id, "deny", request.id)),
  );
};
