import { type Static, type TSchema, Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { ERROR_STATUS, type ErrorCode } from "./errors.js";
import { type Pagination, PaginationSchema } from "./pagination.js";
import { rfc3339 } from "./time.js";

/** SPEC §2 envelope: `{data, metadata}`, lists add `pagination`, errors replace `data` by `error`. */
export const MetadataSchema = Type.Object(
  {
    timestamp: Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] }),
    request_id: Type.String({ examples: ["req_01JD6V7W9Q3E4R5T6Y7V8K9M0P"] }),
  },
  { $id: "Metadata", additionalProperties: false },
);

export const ErrorEnvelopeSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Unsafe<ErrorCode>({
        type: "string",
        enum: Object.keys(ERROR_STATUS),
        description: "Machine-readable code from the table in SPEC §2",
        examples: ["VALIDATION_ERROR"],
      }),
      message: Type.String({ description: "Human-readable explanation", examples: ["name is required"] }),
      details: Type.Optional(
        Type.Record(Type.String(), Type.Unknown(), {
          description: "`field` names the offending field, `reason` is a machine code",
          examples: [{ field: "name", reason: "required" }],
        }),
      ),
    }),
    metadata: Type.Ref(MetadataSchema),
  },
  { $id: "ErrorEnvelope" },
);
export type ErrorEnvelope = Static<typeof ErrorEnvelopeSchema>;

/** A schema with an `$id` is registered once (app.ts) and referenced, so OpenAPI names it. */
const named = <T extends TSchema>(schema: T): TSchema => (schema.$id ? Type.Ref(schema.$id) : schema);

export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({ data: named(data), metadata: Type.Ref(MetadataSchema) });
}

export function ListEnvelope<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(named(item)),
    pagination: Type.Ref(PaginationSchema),
    metadata: Type.Ref(MetadataSchema),
  });
}

/** The response schema of a 204: no body at all (SPEC §2). */
export function NoContent(description: string) {
  return { type: "null", description } as const;
}

// The timestamp has whole seconds, so it is formatted once a second rather than per response.
let second = Number.NaN;
let stamp = "";

export function metadata(request: Pick<FastifyRequest, "id">) {
  const now = Math.floor(Date.now() / 1000);
  if (now !== second) {
    second = now;
    stamp = rfc3339(new Date(now * 1000));
  }
  return { timestamp: stamp, request_id: request.id };
}

export function ok<T>(request: FastifyRequest, data: T) {
  return { data, metadata: metadata(request) };
}

export function okList<T>(request: FastifyRequest, data: T[], pagination: Pagination) {
  return { data, pagination, metadata: metadata(request) };
}

export const SHARED_SCHEMAS = [MetadataSchema, PaginationSchema, ErrorEnvelopeSchema];
