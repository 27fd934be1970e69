/**
 * The generated part of the TypeScript SDK (sdks/typescript/src/generated/): the types of every
 * named schema and of every operation's params, body and answer, written by openapi-typescript
 * from the model, and one file per resource whose methods call the hand-written core
 * (sdks/typescript/src/core/: transport, retries, pagination, errors, webhook verification).
 * Every file is formatted by the repository's Biome, so the output is what `npm run format`
 * would leave and the lint stays clean.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import {
  camel,
  GENERATED_NOTICE,
  type JsonSchema,
  type Model,
  type Operation,
  pascal,
  type Resource,
  refName,
  words,
} from "./model.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const OUT = "sdks/typescript/src/generated";
const HEADER = `// ${GENERATED_NOTICE}\n`;

/**
 * Resources whose class extends a hand-written one instead of APIResource, for what the contract
 * cannot say: `client.webhooks.unwrap()` and `verifySignature()` verify deliveries.
 */
const HAND_WRITTEN_BASES: Record<string, { name: string; module: string }> = {
  webhooks: { name: "WebhooksBase", module: "../../core/webhooks.js" },
};

/** Members of the hand-written VoltasisCore: a resource of the same name would hide one. */
const CORE_MEMBERS = new Set(["baseURL", "timeout", "maxRetries", "request", "list"]);

/** The TypeScript names an operation's params and answer go by. */
interface OperationTypes {
  query?: string;
  body?: string;
  /** The item of a list, or `data` of an envelope. */
  result?: string;
}

export async function render(model: Model): Promise<Record<string, string>> {
  const operations = model.operations.filter((op) => !op.aliasOf);
  const { schemas, types } = operationSchemas(model, operations);
  const files: Record<string, string> = {};
  files[`${OUT}/types.ts`] = await renderTypes(model, schemas);
  const resources = model.resources.filter((resource) => liveOperations(resource).length > 0);
  for (const resource of resources) {
    const property = camel(resource.path[0] as string);
    if (CORE_MEMBERS.has(property))
      throw new Error(`client.${property}: a resource may not take a core member's name`);
  }
  for (const resource of resources) {
    files[`${OUT}/resources/${fileName(resource)}.ts`] = renderResourceFile(resource, types);
  }
  files[`${OUT}/client.ts`] = renderClient(model, resources);
  files[`${OUT}/index.ts`] = renderIndex();
  return Object.fromEntries(Object.entries(files).map(([file, text]) => [file, formatted(file, text)]));
}

/**
 * The schemas openapi-typescript turns into types: the contract's named ones, plus one per
 * operation's query (its parameters as one object), body and unnamed answer.
 */
function operationSchemas(model: Model, operations: Operation[]) {
  const schemas: Record<string, JsonSchema> = { ...model.schemas };
  const types = new Map<Operation, OperationTypes>();
  const add = (name: string, schema: JsonSchema): string => {
    if (schemas[name]) throw new Error(`${name}: the generated name clashes with a schema of the contract`);
    schemas[name] = schema;
    return name;
  };
  for (const op of operations) {
    const base = pascal([...op.resource, op.verb].join(" "));
    const named: OperationTypes = {};
    if (op.queryParams.length > 0) {
      named.query = add(op.body ? `${base}Query` : `${base}Params`, {
        type: "object",
        properties: Object.fromEntries(
          op.queryParams.map((p) => [p.name, { ...p.schema, description: p.description }]),
        ),
        required: op.queryParams.filter((p) => p.required).map((p) => p.name),
        additionalProperties: false,
      });
    }
    if (op.body) named.body = add(`${base}Params`, op.body.schema);
    const response = op.response;
    const result =
      response.kind === "list" || response.kind === "eventStream"
        ? response.item
        : response.kind === "envelope"
          ? response.data
          : undefined;
    if (result) {
      const suffix = { list: "Item", eventStream: "Event" }[response.kind as string] ?? "Response";
      named.result = refName(result) ?? add(`${base}${suffix}`, result);
    }
    types.set(op, named);
  }
  return { schemas, types };
}

async function renderTypes(model: Model, schemas: Record<string, JsonSchema>): Promise<string> {
  const document = {
    openapi: "3.1.0",
    info: { title: model.title, version: model.version },
    paths: {},
    components: { schemas },
  };
  const ast = await openapiTS(document as never, { rootTypes: true, rootTypesNoSchemaPrefix: true });
  // Only components are given, so the empty paths/webhooks/operations/$defs say nothing.
  const text = astToString(ast).replace(/^export type (paths|webhooks|\$defs|operations) = .*\n/gm, "");
  return `${HEADER}/** The types of the ${model.title} ${model.version}: its named schemas and every operation's params and answer. */\n${text}`;
}

const liveOperations = (resource: Resource) => resource.operations.filter((op) => !op.aliasOf);
const className = (resource: Resource) => pascal(resource.path.join(" "));
const fileName = (resource: Resource) => words(resource.path.join(" ")).join("-");

function renderResourceFile(resource: Resource, types: Map<Operation, OperationTypes>): string {
  const classes: string[] = [];
  const used = new Set<string>();
  const core = new Set<string>(["RequestOptions"]);
  const visit = (node: Resource) => {
    classes.push(renderClass(node, types, used, core));
    for (const child of node.children) visit(child);
  };
  visit(resource);
  const base = HAND_WRITTEN_BASES[resource.path.join(".")];
  const imports = [
    `import type { RequestOptions } from "../../core/client-core.js";`,
    core.has("EventStream") ? `import type { EventStream } from "../../core/event-stream.js";` : "",
    core.has("PagePromise") ? `import type { PagePromise } from "../../core/pagination.js";` : "",
    `import { APIResource } from "../../core/resource.js";`,
    base ? `import { ${base.name} } from "${base.module}";` : "",
    // A namespace: resource classes and schemas may share a name (`Organization`, `Settings`).
    used.size > 0 ? `import type * as Types from "../types.js";` : "",
  ];
  return `${HEADER}${imports.filter(Boolean).join("\n")}\n\n${classes.join("\n\n")}\n`;
}

function renderClass(
  resource: Resource,
  types: Map<Operation, OperationTypes>,
  used: Set<string>,
  core: Set<string>,
): string {
  const base = HAND_WRITTEN_BASES[resource.path.join(".")]?.name ?? "APIResource";
  const members: string[] = [];
  for (const child of resource.children) {
    const name = className(child);
    members.push(
      `  /** \`${resource.path.map(camel).join(".")}.${camel(child.path.at(-1) as string)}\` */\n` +
        `  readonly ${camel(child.path.at(-1) as string)}: ${name} = new ${name}(this._client);`,
    );
  }
  for (const op of liveOperations(resource)) members.push(renderMethod(op, types.get(op) ?? {}, used, core));
  return `/** \`client.${resource.path.map(camel).join(".")}\` */\nexport class ${className(resource)} extends ${base} {\n${members.join("\n\n")}\n}`;
}

function renderMethod(op: Operation, named: OperationTypes, used: Set<string>, core: Set<string>): string {
  for (const name of [named.query, named.body, named.result]) if (name) used.add(name);
  const type = (name: string | undefined) => `Types.${name}`;
  const args = op.pathParams.map((p) => `${camel(p.name)}: string`);
  const paramsType = named.body ?? named.query;
  const paramsRequired = op.body ? op.body.required : op.queryParams.some((p) => p.required);
  if (paramsType) args.push(`params${paramsRequired ? "" : "?"}: ${type(paramsType)}`);
  args.push("options?: RequestOptions");
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => `\${encodeURIComponent(${camel(name)})}`);
  const pathCode = op.pathParams.length > 0 ? `\`${path}\`` : JSON.stringify(path);
  const spec = [`method: "${op.method}"`, `path: ${pathCode}`];
  let returns: string;
  let call: string;
  if (op.response.kind === "list") {
    core.add("PagePromise");
    spec.push(`query: params`, `cursor: ${op.response.cursor}`);
    returns = `PagePromise<${type(named.result)}>`;
    call = `this._client.list<${type(named.result)}>`;
  } else if (op.response.kind === "eventStream") {
    core.add("EventStream");
    if (named.query) spec.push("query: params");
    returns = `Promise<EventStream<${type(named.result)}>>`;
    call = `this._client.stream<${type(named.result)}>`;
  } else {
    if (named.query) spec.push("query: params");
    if (named.body) spec.push("body: params");
    if (op.idempotent) spec.push("idempotent: true");
    const kind = op.response.kind === "envelope" ? "json" : op.response.kind;
    spec.push(`response: "${kind}"`);
    const result =
      op.response.kind === "envelope"
        ? type(named.result)
        : op.response.kind === "file"
          ? "Response"
          : "void";
    returns = `Promise<${result}>`;
    call = `this._client.request<${result}>`;
  }
  return `${docComment(op)}  ${camel(op.verb)}(${args.join(", ")}): ${returns} {\n    return ${call}({ ${spec.join(", ")} }, options);\n  }`;
}

function docComment(op: Operation): string {
  // Paragraphs once each: some descriptions of the contract repeat their scope sentence.
  const paragraphs = [...new Set([op.summary, ...(op.description ?? "").split("\n\n")])].filter(Boolean);
  const lines = paragraphs.flatMap((paragraph, i) =>
    i === 0 ? [paragraph] : ["", ...paragraph.split("\n")],
  );
  if (op.response.kind === "list") {
    lines.push("", "Await it for the first page, or iterate it (`for await`) for every item of every page.");
  }
  if (op.response.kind === "eventStream") {
    lines.push(
      "",
      "Resolves once the server accepted the stream; iterate it (`for await`) for each event as it comes,",
      "reconnecting with `Last-Event-ID` when the connection drops. `break`, `close()` or `options.signal` end it.",
    );
  }
  if (op.idempotent)
    lines.push("", "Sent with an Idempotency-Key (a new UUID unless `options.idempotencyKey`).");
  lines.push("", `\`${op.method} ${op.path}\` (\`${op.id}\`)`);
  for (const p of op.pathParams) {
    const prefix = /^\^([a-z]+_)/.exec(String(p.schema.pattern ?? ""))?.[1];
    const about = p.description ?? (prefix ? `the id (\`${prefix}…\`)` : undefined);
    if (about) lines.push(`@param ${camel(p.name)} ${about}`);
  }
  const body = lines.map((line) => (line ? `   * ${line.replaceAll("*/", "*\\/")}` : "   *")).join("\n");
  return `  /**\n${body}\n   */\n`;
}

function renderClient(model: Model, resources: Resource[]): string {
  const imports = resources.map((r) => `import { ${className(r)} } from "./resources/${fileName(r)}.js";`);
  const members = resources.map(
    (r) => `  readonly ${camel(r.path[0] as string)}: ${className(r)} = new ${className(r)}(this);`,
  );
  return `${HEADER}import { VoltasisCore } from "../core/client-core.js";
${imports.join("\n")}

/**
 * The ${model.title} (${model.version}): \`new Voltasis({ apiKey, baseURL })\`, then
 * \`client.projects.list()\`, \`client.timeEntries.start({...})\`, … Options: see ClientOptions.
 */
export class Voltasis extends VoltasisCore {
${members.join("\n")}
}
`;
}

function renderIndex(): string {
  // Resource classes are reached through the client (\`client.projects\`), so only their types
  // leave the package by name; their class names may equal a schema's (\`Settings\`).
  const lines = [`export { Voltasis } from "./client.js";`, `export type * from "./types.js";`];
  return `${HEADER}${lines.join("\n")}\n`;
}

/** The text as `biome check --write` leaves it (format, import order), or an error naming the file. */
function formatted(file: string, text: string): string {
  const biome = path.join(ROOT, "node_modules/.bin/biome");
  const result = spawnSync(biome, ["check", "--write", `--stdin-file-path=${file}`], {
    cwd: ROOT,
    input: text,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`biome check of ${file} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}
