import { type Static, type TSchema, Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { type Pagination, PaginationSchema } from "./pagination.js";

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
      code: Type.String({
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

export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({ data, metadata: Type.Ref(MetadataSchema) });
}

export function ListEnvelope<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    pagination: Type.Ref(PaginationSchema),
    metadata: Type.Ref(MetadataSchema),
  });
}

/** The documented error responses that every route spreads into its schema (Unkey's habit). */
export const errorRef = (description: string) => Type.Ref(ErrorEnvelopeSchema, { description });
export const ERROR_RESPONSES = {
  400: errorRef("Malformed JSON, unknown field, invalid value"),
  401: errorRef("Missing, malformed, expired or revoked credential"),
  403: errorRef("Missing scope or role, or a resource of another organization"),
  404: errorRef("No such resource"),
  409: errorRef("State conflict"),
  413: errorRef("Body over the size limit"),
  415: errorRef("Content-Type is not application/json"),
  429: errorRef("Rate limit exceeded"),
  500: errorRef("Unexpected error; never contains internals"),
  503: errorRef("Overloaded or shutting down"),
};

/** The response schema of a 204: no body at all (SPEC §2). */
export function NoContent(description: string) {
  return { type: "null", description } as const;
}

export function metadata(request: FastifyRequest) {
  return { timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), request_id: request.id };
}

export function ok<T>(request: FastifyRequest, data: T) {
  return { data, metadata: metadata(request) };
}

export function okList<T>(request: FastifyRequest, data: T[], pagination: Pagination) {
  return { data, pagination, metadata: metadata(request) };
}

export const SHARED_SCHEMAS = [MetadataSchema, PaginationSchema, ErrorEnvelopeSchema];
