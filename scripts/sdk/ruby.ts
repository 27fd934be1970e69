/**
 * The generated part of the Ruby SDK (sdks/ruby/lib/voltasis/generated/): a model class per named
 * schema, a resource class per resource (nested ones, like webhooks.deliveries, in their own file
 * and read as an attribute of their parent) with a method and a `<Verb>Params` class per
 * operation, the Client with a reader per resource, and the index that requires them in order.
 * Everything they call (execute, Params, Model, List) is the hand-written core in
 * sdks/ruby/lib/voltasis/core/.
 */
import {
  GENERATED_NOTICE,
  type JsonSchema,
  type Model,
  type Operation,
  pascal,
  type Resource,
  refName,
  snake,
} from "./model.js";

const OUT = "sdks/ruby/lib/voltasis/generated";

/** Public methods of every Ruby object: a field of that name is read with `[]`, not a reader. */
const OBJECT_METHODS = new Set(
  (
    "class clone define_singleton_method display dup enum_for eql? equal? extend freeze frozen? hash " +
    "inspect instance_eval instance_exec instance_of? instance_variables is_a? itself kind_of? method " +
    "methods nil? object_id public_method public_methods public_send respond_to? send singleton_class " +
    "singleton_method singleton_methods tap then to_enum to_s yield_self to_h to_json dig key?"
  ).split(" "),
);

/** The generated files of the ruby SDK: path from the repository root → text. */
export function render(model: Model): Record<string, string> {
  const files: Record<string, string> = {};
  const requires: string[] = [];
  // A model that extends another (parentOf) is required after it.
  const depth = (name: string): number => {
    const parent = parentOf(name, model);
    return parent ? 1 + depth(parent) : 0;
  };
  const names = Object.keys(model.schemas).sort((a, b) => depth(a) - depth(b));
  for (const name of names) {
    requires.push(`models/${snake(name)}`);
    const lines = modelClass(name, model);
    files[`${OUT}/models/${snake(name)}.rb`] = rubyFile(
      ["module Voltasis", "  module Models", ...indent(lines, 4), "  end", "end"].join("\n"),
    );
  }
  const walk = (resource: Resource) => {
    const file = `resources/${resource.path.map(snake).join("/")}`;
    requires.push(file);
    files[`${OUT}/${file}.rb`] = rubyFile(resourceFile(resource));
    resource.children.forEach(walk);
  };
  model.resources.forEach(walk);
  requires.push("client");
  files[`${OUT}/client.rb`] = rubyFile(clientFile(model));
  files[`${OUT}/index.rb`] = rubyFile(requires.map((file) => `require_relative "${file}"`).join("\n"));
  return files;
}

function rubyFile(body: string): string {
  return `# frozen_string_literal: true\n#\n# ${GENERATED_NOTICE}\n\n${body}\n`;
}

function indent(lines: string[], spaces: number): string[] {
  return lines.map((line) => (line === "" ? "" : " ".repeat(spaces) + line));
}

/** Text as `#` comment lines; empty lines stay as a bare `#`. */
function comment(text: string): string[] {
  return text
    .trim()
    .split("\n")
    .map((line) => (line.trim() === "" ? "#" : `# ${line.trimEnd()}`));
}

const symbol = (name: string) => (/^[a-z_][a-zA-Z0-9_]*$/.test(name) ? `:${name}` : `:"${name}"`);

// ---------------------------------------------------------------------------------------------
// Types in YARD notation, for the docs

/** YARD types of a schema; `input` for what a caller sends (a Time for a date-time, a Hash). */
function yardTypes(schema: JsonSchema | undefined, input: boolean): string[] {
  if (!schema) return ["Object"];
  const ref = refName(schema);
  if (ref) return [`Voltasis::Models::${ref}`];
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return orderTypes(union.flatMap((member) => yardTypes(member, input)));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) {
    if (schema.properties) return [input ? "Hash" : "Voltasis::Model"];
    return schema.enum || typeof schema.const === "string" ? ["String"] : ["Object"];
  }
  return orderTypes(
    types.flatMap((type) => {
      switch (type) {
        case "string":
          if (input && schema.format === "date-time") return ["String", "Time"];
          if (input && schema.format === "date") return ["String", "Date"];
          return ["String"];
        case "integer":
          return ["Integer"];
        case "number":
          return ["Numeric"];
        case "boolean":
          return ["Boolean"];
        case "null":
          return ["nil"];
        case "array":
          return [`Array<${yardTypes(schema.items, input).join(", ")}>`];
        default:
          return [input ? "Hash" : "Voltasis::Model"];
      }
    }),
  );
}

/** Unique, with nil last as YARD writes it. */
function orderTypes(types: string[]): string[] {
  const unique = [...new Set(types)];
  return [...unique.filter((type) => type !== "nil"), ...unique.filter((type) => type === "nil")];
}

function enumValues(schema: JsonSchema): unknown[] {
  if (schema.enum) return schema.enum;
  return (schema.anyOf ?? schema.oneOf ?? []).flatMap((member) => member.enum ?? []);
}

/** A field's description with its allowed values. */
function describe(schema: JsonSchema, description = schema.description): string {
  const values = enumValues(schema).filter((value) => value !== null);
  const parts = [
    description?.trim().replace(/\.$/, ""),
    values.length > 0 ? `One of ${values.map((value) => `\`${value}\``).join(", ")}` : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? `${parts.join(". ")}.` : "";
}

/** The named schema a field holds (itself, in a union with null, or as the items of an array). */
function modelOf(schema: JsonSchema | undefined): string | undefined {
  if (!schema) return undefined;
  return (
    refName(schema) ??
    (schema.anyOf ?? schema.oneOf ?? []).map(modelOf).find(Boolean) ??
    (schema.type === "array" ? modelOf(schema.items) : undefined)
  );
}

// ---------------------------------------------------------------------------------------------
// Models

/**
 * The schema this one extends, by name and by fields: ApiKeyWithSecret is an ApiKey (each of its
 * fields the same) with a secret, so its class inherits ApiKey's and declares only `secret`.
 */
function parentOf(name: string, model: Model): string | undefined {
  const properties = model.schemas[name]?.properties ?? {};
  return Object.entries(model.schemas).find(
    ([other, schema]) =>
      other !== name &&
      name.startsWith(other) &&
      schema.properties !== undefined &&
      Object.entries(schema.properties).every(
        ([field, property]) => JSON.stringify(properties[field]) === JSON.stringify(property),
      ),
  )?.[0];
}

function modelClass(name: string, model: Model): string[] {
  const schema = model.schemas[name] as JsonSchema;
  const parent = parentOf(name, model);
  const lines = comment(schema.description ?? `The API's ${name} object (components.schemas.${name}).`);
  lines.push(`class ${name} < ${parent ?? "Voltasis::Model"}`);
  const inherited = model.schemas[parent ?? ""]?.properties ?? {};
  const fields = Object.entries(schema.properties ?? {}).filter(([field]) => !(field in inherited));
  fields.forEach(([field, property], index) => {
    const doc = [describe(property)];
    if (OBJECT_METHODS.has(field))
      doc.push(`Read it with \`[:${field}]\`: every Ruby object has a \`${field}\` method.`);
    if (!schema.required?.includes(field)) doc.push("Absent from some answers (then nil).");
    const target = modelOf(property);
    lines.push(
      ...indent(
        [
          `# @!attribute [r] ${field}`,
          ...doc.filter(Boolean).flatMap((text) => text.split("\n").map((line) => `#   ${line}`)),
          `#   @return [${yardTypes(property, false).join(", ")}]`,
          `field ${symbol(field)}${target ? `, model: "${target}"` : ""}`,
        ],
        2,
      ),
    );
    if (index < fields.length - 1) lines.push("");
  });
  lines.push("end");
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Resources

interface Field {
  name: string;
  location: "query" | "body";
  required: boolean;
  schema: JsonSchema;
  description?: string;
}

function fieldsOf(op: Operation): Field[] {
  const query: Field[] = op.queryParams.map((p) => ({
    name: p.name,
    location: "query",
    required: p.required,
    schema: p.schema,
    description: p.description ?? p.schema.description,
  }));
  const bodySchema = op.body?.schema;
  if (bodySchema && !bodySchema.properties) {
    throw new Error(`${op.id}: the Ruby SDK needs a body with named properties`);
  }
  const body: Field[] = Object.entries(bodySchema?.properties ?? {}).map(([name, schema]) => ({
    name,
    location: "body",
    required: bodySchema?.required?.includes(name) ?? false,
    schema,
    description: schema.description,
  }));
  const clash = query.find((q) => body.some((b) => b.name === q.name));
  if (clash) throw new Error(`${op.id}: ${clash.name} is both a query parameter and a body field`);
  return [...query, ...body];
}

/** Positional arguments for the path: `id`, or `webhook_id` for the parent's id of a nested resource. */
function pathArgs(op: Operation, resource: Resource): Array<{ param: string; arg: string }> {
  const parent =
    resource.path.length > 1 ? snake(resource.path[resource.path.length - 2] as string) : undefined;
  return op.pathParams.map(({ name }) => ({
    param: name,
    arg: name === "id" && parent ? `${parent.replace(/s$/, "")}_id` : snake(name),
  }));
}

function returnType(op: Operation): string {
  const response = op.response;
  if (response.kind === "empty") return "nil";
  if (response.kind === "file") return "String";
  if (response.kind === "list") return `Voltasis::List<${yardTypes(response.item, false).join(", ")}>`;
  if (response.kind === "eventStream") return "Voltasis::EventStream";
  return yardTypes(response.data, false).join(", ");
}

function executeArgs(op: Operation, resource: Resource, hasParams: boolean): string[] {
  const args = pathArgs(op, resource);
  let path = op.path;
  for (const { param, arg } of args) path = path.replace(`{${param}}`, `#{path_segment(:${arg}, ${arg})}`);
  const result = [`method: :${op.method.toLowerCase()}`, `path: "${path}"`];
  result.push(
    hasParams ? `params: ${pascal(op.verb)}Params.new(**params)` : "request_options: request_options",
  );
  const response = op.response;
  if (response.kind !== "envelope") result.push(`response: :${snake(response.kind)}`);
  const target =
    response.kind === "envelope"
      ? modelOf(response.data)
      : response.kind === "list" || response.kind === "eventStream"
        ? modelOf(response.item)
        : undefined;
  if (target) result.push(`model: Voltasis::Models::${target}`);
  if (response.kind === "list" && response.cursor) result.push("cursor: true");
  if (op.idempotent) result.push("idempotent: true");
  return result;
}

function operationMethod(op: Operation, resource: Resource): { params: string[]; method: string[] } {
  const fields = fieldsOf(op);
  const args = pathArgs(op, resource);
  // The contract repeats some paragraphs (the scope line); say each once.
  const streaming =
    op.response.kind === "eventStream"
      ? "Returns once the server accepted the stream. With a block, gives it each event as it comes\n" +
        "(reconnecting with Last-Event-ID when the connection drops) until `break`, which closes it;\n" +
        "without one, returns the EventStream (Enumerable; `close` it)."
      : "";
  const paragraphs = [
    op.summary,
    ...(op.description ?? "").split(/\n\s*\n/),
    streaming,
    `\`${op.method} ${op.path}\``,
  ];
  const lines = comment([...new Set(paragraphs.map((p) => p.trim()).filter(Boolean))].join("\n\n"));
  for (const [index, { arg }] of args.entries()) {
    const param = op.pathParams[index];
    lines.push(`# @param ${arg} [String] ${param?.description ?? param?.schema.description ?? ""}`.trimEnd());
  }
  const signature = args.map(({ arg }) => arg);
  let params: string[] = [];
  if (fields.length > 0) {
    lines.push("# @param params [Hash] the keyword arguments:");
    for (const field of fields) {
      const required = field.required ? " (required)" : "";
      const text = describe(field.schema, field.description).replace(/\n+/g, " ");
      lines.push(
        `# @option params [${yardTypes(field.schema, true).join(", ")}] :${field.name}${required} ${text}`.trimEnd(),
      );
    }
    lines.push("# @option params [Hash] :request_options idempotency_key, timeout, max_retries, headers");
    signature.push("**params");
    params = [
      `# The keyword arguments of {#${snake(op.verb)}}.`,
      `class ${pascal(op.verb)}Params < Voltasis::Params`,
      ...indent(
        fields.map((f) => `${f.location} ${symbol(f.name)}${f.required ? ", required: true" : ""}`),
        2,
      ),
      "end",
    ];
  } else {
    lines.push("# @param request_options [Hash] idempotency_key, timeout, max_retries, headers");
    signature.push("request_options: {}");
  }
  const response = op.response;
  if (response.kind === "eventStream") {
    lines.push(`# @yieldparam event [${yardTypes(response.item, false).join(", ")}]`);
    signature.push("&block");
  }
  lines.push(`# @return [${returnType(op)}]`);
  const call = [...executeArgs(op, resource, fields.length > 0), ...(streaming ? ["&block"] : [])];
  lines.push(
    `def ${snake(op.verb)}(${signature.join(", ")})`,
    "  @client.execute(",
    ...call.map((arg, index) => `    ${arg}${index < call.length - 1 ? "," : ""}`),
    "  )",
    "end",
  );
  return { params, method: lines };
}

function resourceFile(resource: Resource): string {
  const name = resource.path[resource.path.length - 1] as string;
  const accessor = `client.${resource.path.map(snake).join(".")}`;
  const body: string[] = [];
  if (resource.children.length > 0) {
    for (const child of resource.children) {
      const childName = child.path[child.path.length - 1] as string;
      body.push(`# @return [Voltasis::Resources::${child.path.map(pascal).join("::")}]`);
      body.push(`attr_reader :${snake(childName)}`, "");
    }
    body.push("def initialize(client)", "  super");
    for (const child of resource.children) {
      const childName = child.path[child.path.length - 1] as string;
      body.push(`  @${snake(childName)} = ${pascal(childName)}.new(client)`);
    }
    body.push("end", "");
  }
  const operations = resource.operations
    .filter((op) => !op.aliasOf)
    .map((op) => operationMethod(op, resource));
  for (const { params } of operations) if (params.length > 0) body.push(...params, "");
  for (const { method } of operations) body.push(...method, "");
  body.pop();

  let lines = [
    `# \`${accessor}\`: the operations on ${snake(name).replace(/_/g, " ")}.`,
    `class ${pascal(name)} < Voltasis::Resource`,
    ...indent(body, 2),
    "end",
  ];
  // A nested resource's class sits inside its parent's (reopened here, defined in its own file).
  for (const ancestor of resource.path.slice(0, -1).reverse()) {
    lines = [`class ${pascal(ancestor)} < Voltasis::Resource`, ...indent(lines, 2), "end"];
  }
  return ["module Voltasis", "  module Resources", ...indent(lines, 4), "  end", "end"].join("\n");
}

function clientFile(model: Model): string {
  const readers = model.resources.flatMap((resource) => {
    const name = resource.path[0] as string;
    return [`# @return [Voltasis::Resources::${pascal(name)}]`, `attr_reader :${snake(name)}`, ""];
  });
  const assignments = model.resources.map((resource) => {
    const name = resource.path[0] as string;
    return `  @${snake(name)} = Resources::${pascal(name)}.new(self)`;
  });
  return [
    "module Voltasis",
    `  # The ${model.title} (${model.version}): \`Voltasis::Client.new(api_key: …, base_url: …)\`, then`,
    "  # one reader per resource (`client.projects.list`). The options are BaseClient#initialize's.",
    "  class Client < BaseClient",
    ...indent(readers, 4),
    "    def initialize(**options)",
    "      super",
    ...indent(assignments, 4),
    "    end",
    "  end",
    "end",
  ].join("\n");
}
