import { type TObject, type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import { MetadataSchema } from "./envelope.js";
import { ValidationError } from "./errors.js";
import { MAX_PAGE_SIZE } from "./pagination.js";
import { syncHook } from "./sync-hooks.js";

/**
 * API versions (SPEC §8): every feature registers its routes once per version from the same code
 * (app.ts); versions differ in schemas and small adapters, kept here. `/v1` is stable and frozen;
 * `/v2` is the beta: its lists page by cursor only. Features add what only a version has (v2's
 * `expand` and bulk time entries) by looking at `deps.version`.
 */
export const API_VERSIONS = ["v1", "v2"] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const STABLE_VERSION: ApiVersion = "v1";
export const BETA_VERSIONS: ReadonlySet<ApiVersion> = new Set(["v2"]);

/** Retiring a route (RFC 9745 `Deprecation`, RFC 8594 `Sunset`): declared in its config. */
export interface Deprecation {
  /** When it was deprecated. */
  since: Date;
  /** When it stops working, if decided. */
  sunset?: Date;
  /** Where to read what replaces it. */
  link?: string;
}

declare module "fastify" {
  interface FastifyContextConfig {
    deprecation?: Deprecation;
  }
  interface FastifyRequest {
    /** How a v2 cursor page was asked for, to write the next cursor. */
    cursorPage?: { keyset: boolean; offset: number };
  }
}

export function versionOf(url: string): ApiVersion | undefined {
  const match = /^\/(v\d+)(\/|$|\?)/.exec(url);
  return API_VERSIONS.find((version) => version === match?.[1]);
}

const PAGING = ["limit", "offset", "page", "per_page", "starting_after"];

/** A v2 cursor: opaque to clients; inside, the last item's id (keyset) or an offset. */
type Cursor = { a: string } | { o: number };
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");
function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<string, unknown>;
    if (typeof value.a === "string" && value.a.length <= 64) return { a: value.a };
    if (Number.isSafeInteger(value.o) && (value.o as number) >= 0 && (value.o as number) <= 2_147_483_647) {
      return { o: value.o as number };
    }
  } catch {
    // falls through to the refusal below
  }
  throw new ValidationError("cursor", "cursor must be a next_cursor this API returned", "invalid_cursor");
}

/** Is this route's 200 a v1 list (`{data: [...], pagination}`)? */
function listResponse(route: RouteOptions): TObject | undefined {
  const ok = (route.schema?.response as Record<string, TSchema> | undefined)?.[200] as TObject | undefined;
  return ok?.properties?.pagination && ok.properties.data ? ok : undefined;
}

/**
 * v2 lists page by cursor only: `limit` and `cursor` in, `next_cursor` and `has_more` out. The
 * route's own handler still sees a v1 query (offset, or `starting_after` where the list keeps a
 * keyset order) and answers a v1 page, which this turns into the v2 shape.
 */
function cursorOnly(route: RouteOptions) {
  const list = listResponse(route);
  if (!list) return;
  const query = route.schema?.querystring as TObject | undefined;
  const properties = Object.fromEntries(
    Object.entries(query?.properties ?? {}).filter(([name]) => !PAGING.includes(name)),
  );
  const keysetAvailable = query?.properties?.starting_after !== undefined;
  route.schema = {
    ...route.schema,
    querystring: Type.Object(
      {
        ...properties,
        limit: Type.Optional(
          Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: "Items per page (default 20)" }),
        ),
        cursor: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 200,
            pattern: "^[A-Za-z0-9_-]+$",
            description: "The `next_cursor` of the previous page; without it, the first page",
          }),
        ),
      },
      { additionalProperties: false },
    ),
    response: {
      ...(route.schema?.response as object),
      200: Type.Object({
        data: list.properties.data as TSchema,
        next_cursor: Type.Union([Type.String(), Type.Null()], {
          description: "Pass as `cursor` for the next page; null on the last page",
        }),
        has_more: Type.Boolean({ description: "Whether another page follows" }),
        metadata: Type.Ref(MetadataSchema),
      }),
    },
  };
  const toV1Query = async (request: FastifyRequest) => {
    const { cursor, ...rest } = request.query as Record<string, unknown>;
    const keyset = keysetAvailable && rest.sort === undefined;
    const decoded = typeof cursor === "string" ? decodeCursor(cursor) : undefined;
    if (decoded && "a" in decoded && !keyset) {
      throw new ValidationError(
        "cursor",
        "This cursor was made for another order of this list",
        "invalid_cursor",
      );
    }
    const offset = decoded && "o" in decoded ? decoded.o : 0;
    request.cursorPage = { keyset, offset };
    request.query = decoded && "a" in decoded ? { ...rest, starting_after: decoded.a } : { ...rest, offset };
  };
  const toV2Page = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    // Errors pass through as they are: only a page is reshaped.
    if (reply.statusCode !== 200) return payload;
    const page = payload as {
      data: Array<{ id?: string }>;
      pagination: { has_more: boolean };
      metadata: unknown;
    };
    const { keyset, offset } = request.cursorPage ?? { keyset: false, offset: 0 };
    const last = page.data[page.data.length - 1];
    const next: Cursor | null = !page.pagination.has_more
      ? null
      : keyset && last?.id
        ? { a: last.id }
        : { o: offset + page.data.length };
    return {
      data: page.data,
      next_cursor: next && encodeCursor(next),
      has_more: page.pagination.has_more,
      metadata: page.metadata,
    };
  };
  route.preHandler = [toV1Query, ...hooks(route.preHandler)];
  route.preSerialization = [...hooks(route.preSerialization), toV2Page];
}

const hooks = <T>(hook: T | T[] | undefined): T[] =>
  hook === undefined ? [] : Array.isArray(hook) ? hook : [hook];

/** Deprecation headers, rfc-formatted: `Deprecation: @<unix seconds>`, `Sunset: <HTTP-date>`. */
function deprecationHeaders(reply: FastifyReply, deprecation: Deprecation) {
  reply.header("Deprecation", `@${Math.floor(deprecation.since.getTime() / 1000)}`);
  if (deprecation.sunset) reply.header("Sunset", deprecation.sunset.toUTCString());
  if (deprecation.link) reply.header("Link", `<${deprecation.link}>; rel="deprecation"`);
}

export const versionsPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook("onRoute", (route) => {
      if (versionOf(route.url) === "v2") cursorOnly(route);
      if (route.config?.deprecation) {
        route.schema = { ...route.schema, deprecated: true } as typeof route.schema;
      }
    });
    app.addHook(
      "onRequest",
      syncHook((request, reply) => {
        reply.header("X-API-Version", versionOf(request.url) ?? STABLE_VERSION);
        const deprecation = request.routeOptions.config.deprecation;
        if (deprecation) deprecationHeaders(reply, deprecation);
      }),
    );
  },
  { name: "versions" },
);
