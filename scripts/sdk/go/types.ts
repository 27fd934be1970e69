/**
 * JSON Schema → Go types for the Go SDK: a struct for every named schema and for every inline
 * object (named after where it sits: `SummaryGroup`, `SummaryGroupKey`), `*T` where a value may
 * be absent or null, `time.Time` for date-times, `int64` for integers, and `json.RawMessage` where
 * the contract says nothing of the shape.
 */
import { type JsonSchema, refName } from "../model.js";
import { comment, exported, type FieldLine, sentence, singular, structBody } from "./syntax.js";

/** Names the hand-written core declares; a schema of the same name gets `Object` appended. */
const CORE_NAMES = ["Client", "Error", "Iter", "Option", "Retry", "WebhookEvent"];

/**
 * How a struct's fields are written: `response` (decoded from the API: absent or null is nil),
 * `body` (a params struct sent as JSON: nil is left out unless required) or `query` (a params
 * struct sent in the query string: every field optional).
 */
export type FieldMode = "response" | "body" | "query";

export interface GoType {
  type: string;
  nullable: boolean;
}

/** Slices, maps and raw JSON are nil already; everything else needs a pointer to be absent. */
const nilable = (type: string) => /^(\[\]|map\[|json\.RawMessage)/.test(type);

const isObject = (schema: JsonSchema) =>
  schema.type === "object" || schema.properties !== undefined || refName(schema) !== undefined;

/** What a field's doc says besides its description: the values an enum takes. */
function enumNote(schema: JsonSchema): string | undefined {
  const variants = [schema, ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  const values = variants.flatMap((v) => v.enum ?? (v.const !== undefined ? [v.const] : []));
  return values.length ? `One of ${values.map((v) => `\`${v}\``).join(", ")}.` : undefined;
}

export class GoTypes {
  private readonly taken = new Set(CORE_NAMES);
  private readonly schemaNames = new Map<string, string>();
  private readonly byShape = new Map<string, string>();

  constructor(private readonly schemas: Record<string, JsonSchema>) {
    for (const name of Object.keys(schemas)) this.schemaNames.set(name, this.claim(exported(name)));
  }

  /** The Go name of a component schema. */
  schemaName(name: string): string {
    const goName = this.schemaNames.get(name);
    if (!goName) throw new Error(`no schema ${name}`);
    return goName;
  }

  /** A free type name: `hint`, or `hint` + `Object` when taken. */
  claim(hint: string): string {
    let name = this.taken.has(hint) ? `${hint}Object` : hint;
    for (let n = 2; this.taken.has(name); n++) name = `${hint}Object${n}`;
    this.taken.add(name);
    return name;
  }

  /**
   * The Go type of a schema; inline objects become structs named `hint`, whose declarations
   * (and those of the objects inside them) are added to `decls`. `owner` is the named type they
   * belong to, for their doc.
   */
  typeOf(schema: JsonSchema, hint: string, decls: string[], owner = hint): GoType {
    let nullable = schema.nullable === true;
    const variants = schema.anyOf ?? schema.oneOf;
    if (variants) {
      const present = variants.filter((v) => v.type !== "null");
      nullable ||= present.length < variants.length;
      if (present.length === 1)
        return { type: this.typeOf(present[0] as JsonSchema, hint, decls, owner).type, nullable };
      if (present.every((v) => v.type === "string" || v.enum?.every((e) => typeof e === "string")))
        return { type: "string", nullable };
      if (present.every(isObject)) return { type: this.merged(present, hint, decls, owner), nullable };
      return { type: "json.RawMessage", nullable: false };
    }
    const ref = refName(schema);
    if (ref) return { type: this.schemaName(ref), nullable };
    let type = schema.type;
    if (Array.isArray(type)) {
      nullable ||= type.includes("null");
      type = type.find((t) => t !== "null");
    }
    switch (type) {
      case "object":
        if (schema.properties && Object.keys(schema.properties).length > 0)
          return { type: this.struct(schema, hint, decls, "response", { owner }), nullable };
        if (
          typeof schema.additionalProperties === "object" &&
          Object.keys(schema.additionalProperties).length
        )
          return {
            type: `map[string]${this.typeOf(schema.additionalProperties, `${hint}Value`, decls, owner).type}`,
            nullable,
          };
        return { type: "map[string]any", nullable };
      case "array":
        return { type: `[]${this.typeOf(schema.items ?? {}, singular(hint), decls, owner).type}`, nullable };
      case "string":
        return { type: schema.format === "date-time" ? "time.Time" : "string", nullable };
      case "integer":
        return { type: "int64", nullable };
      case "number":
        return { type: "float64", nullable };
      case "boolean":
        return { type: "bool", nullable };
    }
    if (schema.enum?.every((e) => typeof e === "string")) return { type: "string", nullable };
    return { type: "json.RawMessage", nullable: false };
  }

  /** One struct holding every variant's fields, each optional (the variants differ in what they require). */
  private merged(variants: JsonSchema[], hint: string, decls: string[], owner: string): string {
    const objects = variants.map((v) => {
      const ref = refName(v);
      return ref ? (this.schemas[ref] as JsonSchema) : v;
    });
    const properties = Object.assign({}, ...objects.map((o) => o.properties ?? {}));
    return this.struct({ type: "object", properties }, hint, decls, "response", { owner });
  }

  /**
   * Declares a struct and returns its name: an object of a response once per shape (named `hint`,
   * or `hint` + `Object` when taken), a params struct (`mode` body or query) or a named schema
   * under the name `hint` its caller claimed.
   */
  struct(
    schema: JsonSchema,
    hint: string,
    decls: string[],
    mode: FieldMode,
    { doc, owner, claimed = mode !== "response" }: { doc?: string; owner?: string; claimed?: boolean } = {},
  ): string {
    const shape = JSON.stringify(schema);
    const known = mode === "response" ? this.byShape.get(shape) : undefined;
    if (known) return known;
    const name = claimed ? hint : this.claim(hint);
    if (mode === "response") this.byShape.set(shape, name);
    // Fields of a params struct name their own structs without the `Params` suffix.
    const prefix = mode === "response" ? name : name.replace(/Params$/, "");
    const at = decls.push("") - 1;
    const fields: FieldLine[] = [];
    let clearable = false;
    for (const [json, property] of Object.entries(schema.properties ?? {})) {
      const goName = exported(json);
      const { type, nullable } = this.typeOf(property, `${prefix}${goName}`, decls, owner ?? name);
      const required = mode !== "query" && (schema.required ?? []).includes(json);
      clearable ||= mode === "body" && !required && nullable;
      const pointer = !nilable(type) && (!required || nullable);
      const tag = mode === "query" ? `query:"${json}"` : `json:"${json}${required ? "" : ",omitempty"}"`;
      const note = [property.description, enumNote(property)]
        .filter((text): text is string => Boolean(text))
        .map(sentence)
        .join(" ");
      fields.push({ doc: comment(note), cells: [goName, `${pointer ? "*" : ""}${type}`, `\`${tag}\``] });
    }
    if (clearable) {
      fields.push({
        doc: comment(
          "NullFields names fields to send as null, which clears them (`ClientID` or `client_id`).",
        ),
        cells: ["NullFields", "[]string", '`json:"-"`'],
      });
    }
    const description = schema.description ? ` ${sentence(schema.description)}` : "";
    const heading = comment(doc ?? `${name} is part of ${owner ?? "a response"}.${description}`);
    decls[at] = [...heading, `type ${name} struct {`, ...structBody(fields), "}"].join("\n");
    return name;
  }
}
