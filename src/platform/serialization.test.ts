import { Type } from "@sinclair/typebox";
import fastJsonStringify, { type Schema } from "fast-json-stringify";
import { describe, expect, it } from "vitest";
import { TimeEntrySchema } from "../features/time-entries/schemas.js";
import { typedNullables } from "./serialization.js";

const nullable = <T extends object>(schema: T) =>
  Type.Union([schema as never, Type.Null()], { description: "d" });

describe("response serialization", () => {
  it("turns a nullable scalar into a type list, keeping its keywords and the siblings", () => {
    const schema = nullable(Type.String({ format: "date-time", pattern: "^x" }));
    expect(typedNullables(schema)).toEqual({
      description: "d",
      type: ["string", "null"],
      format: "date-time",
      pattern: "^x",
    });
    expect(typedNullables(Type.Union([Type.Null(), Type.Integer({ minimum: 0 })]))).toEqual({
      type: ["integer", "null"],
      minimum: 0,
    });
  });

  it("leaves every other union alone: objects, refs, literals, enums, wider unions", () => {
    for (const branch of [
      Type.Object({ a: Type.String() }),
      Type.Ref("TimeEntry"),
      Type.Literal("only"),
      Type.Unsafe({ type: "string", enum: ["a", "b"] }),
      Type.Array(Type.String()),
      Type.Union([Type.String(), Type.Integer()]),
    ]) {
      const schema = nullable(branch);
      expect(typedNullables(schema)).toEqual(JSON.parse(JSON.stringify(schema)));
    }
    const three = Type.Union([Type.String(), Type.Integer(), Type.Null()]);
    expect(typedNullables(three)).toEqual(JSON.parse(JSON.stringify(three)));
  });

  it("writes a time entry exactly as the schema as written does, nulls and all", () => {
    const entry = {
      id: "te_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
      user_id: "usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
      project_id: null,
      task_id: "tsk_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
      description: 'Quotes " and \\ and \u2028',
      start: "2024-01-15T09:00:00Z",
      end: null,
      duration: 5400,
      billable: true,
      hourly_rate: null,
      billable_rate: 12000,
      billable_amount: 18000,
      currency: "EUR",
      tag_ids: ["tag_01JD6V7W9Q3E4R5T6Y7V8K9M0P"],
      running: true,
      created_at: "2024-01-15T09:00:00Z",
      updated_at: "2024-01-15T10:30:00Z",
    };
    const schema = { type: "array", items: TimeEntrySchema } as Schema;
    const asWritten = fastJsonStringify(schema);
    const typed = fastJsonStringify(typedNullables(schema) as Schema);
    const entries = [
      entry,
      { ...entry, project_id: "prj_01JD6V7W9Q3E4R5T6Y7V8K9M0P", end: entry.start, hourly_rate: 0 },
    ];
    expect(typed(entries)).toBe(asWritten(entries));
    expect(JSON.parse(typed(entries))).toEqual(entries);
  });
});
