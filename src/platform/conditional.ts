import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "./errors.js";
import { sha256 } from "./sha256.js";
import { syncHook, syncPayloadHook } from "./sync-hooks.js";
import { type IfMatch, type OrgContext, withPrecondition } from "./tenancy.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * What a response's entity tag is computed from, when not the whole `data`: a route whose
     * representation holds values computed at read time (a running timer's duration) names the
     * stored version instead, so that the tag changes when the resource does, and only then.
     */
    etagView?: (data: unknown) => unknown;
  }
}

/**
 * RFC 9110 conditional requests (SPEC §8). A strong ETag on every single resource and list page,
 * computed from the response's `data` (and `pagination`), never from `metadata`, which differs
 * on every request; `If-None-Match` on a GET answers 304; `If-Match` on a write is checked by the
 * service against the resource it has locked (checkPrecondition), so two clients writing the same
 * version cannot both succeed.
 */
export function etagOf(view: unknown): string {
  return `"${sha256(JSON.stringify(view), "base64url").slice(0, 32)}"`;
}

/** `*`, or the entity tags of the header (weak ones never match a strong comparison). */
function parseTags(header: string): IfMatch {
  if (header.trim() === "*") return "*";
  return [...header.matchAll(/(W\/)?"([^"]*)"/g)].filter((m) => !m[1]).map((m) => `"${m[2]}"`);
}

const headerOf = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return typeof value === "string" ? value : undefined;
};

/**
 * Throws 412 PRECONDITION_FAILED when the request said `If-Match` and `current` (the resource as
 * GET shows it, read under the write's lock) no longer has one of those tags. Call it after
 * locking the row and before changing anything.
 */
export function checkPrecondition(ctx: OrgContext, current: unknown): void {
  const ifMatch = ctx.via?.ifMatch;
  if (ifMatch === undefined || ifMatch === "*") return;
  const tag = etagOf(current);
  if (ifMatch.includes(tag)) return;
  throw new ApiError(
    "PRECONDITION_FAILED",
    "The resource changed since you read it (If-Match); read it again",
    {
      reason: "etag_mismatch",
      current_etag: tag,
    },
  );
}

const TAGGED_METHODS = new Set(["GET", "PUT", "PATCH"]);

export const conditionalRequests = fp(
  async (app: FastifyInstance) => {
    // The tag of a successful read (or of what a PUT or PATCH left), from the payload before it is
    // serialized, so a client may write again with If-Match without reading first.
    app.addHook(
      "preSerialization",
      syncPayloadHook((request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        if (reply.statusCode !== 200 || !TAGGED_METHODS.has(request.method)) return payload;
        const body = payload as { data?: unknown; pagination?: unknown } | null;
        if (body === null || typeof body !== "object" || !("data" in body)) return payload;
        const view = request.routeOptions.config.etagView?.(body.data) ?? body.data;
        reply.header("ETag", etagOf(body.pagination === undefined ? view : [view, body.pagination]));
        return payload;
      }),
    );

    app.addHook(
      "onSend",
      syncPayloadHook((request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        const ifNoneMatch = headerOf(request, "if-none-match");
        const etag = reply.getHeader("etag");
        if (ifNoneMatch === undefined || typeof etag !== "string" || request.method !== "GET") return payload;
        const tags = parseTags(ifNoneMatch.replaceAll("W/", ""));
        if (tags !== "*" && !tags.includes(etag)) return payload;
        reply.code(304);
        reply.removeHeader("content-type");
        reply.removeHeader("content-length");
        return "";
      }),
    );

    // The precondition travels with the organization context to the service that locks the row.
    app.addHook(
      "preHandler",
      syncHook((request: FastifyRequest) => {
        const ifMatch = headerOf(request, "if-match");
        if (ifMatch === undefined || !request.org) return;
        if (!["PUT", "PATCH", "DELETE"].includes(request.method)) return;
        const tags = parseTags(ifMatch);
        if (tags !== "*" && tags.length === 0) {
          throw new ApiError(
            "VALIDATION_ERROR",
            'If-Match must be "*" or entity tags in quotes, as ETag gives them',
            {
              field: "If-Match",
              reason: "invalid_format",
              location: "headers",
            },
          );
        }
        request.org = withPrecondition(request.org, tags);
      }),
    );
  },
  { name: "conditional-requests" },
);
