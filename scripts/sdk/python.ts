/**
 * The generated part of the Python SDK (sdks/python/voltasis): TypedDicts for every named schema
 * (types/models.py) and every operation's parameters (types/<resource>_params.py), one module per
 * resource with its methods (resources/<resource>.py; a sub-resource such as webhooks.deliveries is
 * an attribute of its parent), and the client with one attribute per resource (client.py). The
 * hand-written runtime they call is voltasis/_core/ (transport, retries, errors, pagination,
 * webhooks), which this never writes.
 *
 * Python >= 3.9: annotations use typing's List/Dict/Optional/Union, never `X | Y`.
 */
import type { JsonSchema, Model, Operation, Parameter, Resource } from "./model.js";
import { GENERATED_NOTICE, pascal, words } from "./model.js";
import { docstring, identifier, pyString, splitTopLevel } from "./python-text.js";
import { pythonTypes, type TypeWriter } from "./python-types.js";

const PACKAGE = "sdks/python/voltasis";
const HEADER = `# ${GENERATED_NOTICE}\n`;
/** Keyword arguments every method takes besides the operation's own. */
const REQUEST_OPTIONS = ["idempotency_key", "extra_headers", "timeout"];

/** The generated files of the python SDK (sdks/python/): path from the repository root → text. */
export function render(model: Model): Record<string, string> {
  const types = pythonTypes(model.schemas);
  const files: Record<string, string> = {};
  for (const resource of model.resources) {
    files[`${PACKAGE}/resources/${identifier(resource.path[0] as string)}.py`] = resourceModule(
      resource,
      types,
    );
  }
  Object.assign(files, types.modules(PACKAGE, HEADER));
  files[`${PACKAGE}/resources/__init__.py`] = resourcesIndex(model.resources, types);
  files[`${PACKAGE}/client.py`] = clientModule(model, types);
  return files;
}

/** `webhooks.deliveries` → `WebhookDeliveries`; parents singular, the last word as it is. */
function className(path: string[], types: TypeWriter): string {
  const name = path.map((part, i) => (i < path.length - 1 ? singularPascal(part) : pascal(part))).join("");
  // `organization` the resource and `Organization` the object meet in one module: tell them apart.
  return types.has(name) ? `${name}Resource` : name;
}

/** `timeEntries` → `TimeEntry`: the prefix of the operation's parameter types. */
function singularPascal(name: string): string {
  const parts = words(name);
  const last = parts.pop() as string;
  const singular = last.endsWith("ies")
    ? `${last.slice(0, -3)}y`
    : /(ss|us)$/.test(last) || !last.endsWith("s")
      ? last
      : last.slice(0, -1);
  return pascal([...parts, singular].join(" "));
}

function typePrefix(op: Operation): string {
  return op.resource.map(singularPascal).join("") + pascal(op.verb);
}

const exposed = (resource: Resource) => resource.operations.filter((op) => !op.aliasOf);

function resourceModule(resource: Resource, types: TypeWriter): string {
  const module = `${identifier(resource.path[0] as string)}_params`;
  const annotations: string[] = [];
  const classes: string[] = [];
  const render = (node: Resource) => {
    for (const child of node.children) render(child);
    const methods = exposed(node).map((op) => method(op, types, module, annotations));
    const children = node.children.map(
      (child) =>
        `        self.${identifier(child.path.at(-1) as string)} = ${className(child.path, types)}(client)`,
    );
    const init = children.length
      ? [
          "    def __init__(self, client: BaseClient) -> None:",
          "        super().__init__(client)",
          ...children,
          "",
        ]
      : [];
    classes.push(
      [
        `class ${className(node.path, types)}(APIResource):`,
        docstring(resourceSummary(node), "    "),
        "",
        ...init,
        methods.join("\n"),
      ].join("\n"),
    );
  };
  render(resource);
  const imports = types.importsFor(annotations, "..types", ["Mapping", "Optional"]);
  const code = classes.join("\n");
  const core = ["APIResource", "BaseClient", "NOT_GIVEN", "NotGiven", "encode_path"].filter(
    (name) => name === "APIResource" || new RegExp(`\\b${name}\\b`).test(code),
  );
  const paginator = /\bPaginator\[/.test(code) ? ["from .._core.pagination import Paginator"] : [];
  const streaming = /\bEventStream\[/.test(code) ? ["from .._core.streaming import EventStream"] : [];
  const attribute = identifier(resource.path[0] as string);
  return [
    HEADER.trimEnd(),
    docstring(`The \`${resource.path[0]}\` operations of the API: \`client.${attribute}\`.`, ""),
    "",
    "from __future__ import annotations",
    "",
    ...imports.stdlib,
    "",
    ...paginator,
    ...streaming,
    `from .._core.transport import ${core.join(", ")}`,
    ...imports.local,
    "",
    `__all__ = [${allClasses(resource, types).map(pyString).join(", ")}]`,
    "",
    "",
    classes.join("\n\n"),
  ].join("\n");
}

function allClasses(resource: Resource, types: TypeWriter): string[] {
  return [className(resource.path, types), ...resource.children.flatMap((child) => allClasses(child, types))];
}

function resourceSummary(resource: Resource): string {
  const verbs = exposed(resource).map((op) => `\`${identifier(op.verb)}\``);
  const children = resource.children.map((child) => `\`${identifier(child.path.at(-1) as string)}\``);
  const name = resource.path.join(".");
  return [
    `The \`${name}\` operations: ${verbs.join(", ")}.`,
    children.length ? `Sub-resources: ${children.join(", ")}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

interface Argument {
  /** As the API spells it. */
  wire: string;
  /** As Python spells it (a keyword gets a trailing underscore: `from_`). */
  name: string;
  annotation: string;
  required: boolean;
  description?: string;
}

function method(op: Operation, types: TypeWriter, module: string, annotations: string[]): string {
  const paramsType = `${typePrefix(op)}Params`;
  // One set of keyword arguments per method: say so loudly the day an operation takes both.
  if (op.body && op.queryParams.length) throw new Error(`${op.id}: a body and query parameters`);
  const input = op.body
    ? types.params(paramsType, op.body.schema, module)
    : op.queryParams.length
      ? types.params(paramsType, queryObject(op.queryParams), module)
      : undefined;
  const positional: Argument[] = op.pathParams.map((p) => ({
    wire: p.name,
    name: identifier(p.name),
    annotation: "str",
    required: true,
    description: p.description,
  }));
  const keywords: Argument[] = (input?.fields ?? []).map((field) => ({
    wire: field.key,
    name: identifier(field.key),
    annotation: field.annotation,
    required: field.required,
    description: field.description,
  }));
  for (const arg of [...positional, ...keywords]) {
    if (REQUEST_OPTIONS.includes(arg.name)) throw new Error(`${op.id}: parameter ${arg.name} clashes`);
  }
  const returns = returnAnnotation(op, types);
  annotations.push(returns, ...keywords.map((k) => k.annotation));

  const signature = [
    "        self,",
    ...positional.map((p) => `        ${p.name}: str,`),
    "        *,",
    ...keywords.filter((k) => k.required).map((k) => `        ${k.name}: ${k.annotation},`),
    ...keywords
      .filter((k) => !k.required)
      .map((k) => `        ${k.name}: Union[${k.annotation}, NotGiven] = NOT_GIVEN,`),
    ...(op.idempotent ? ["        idempotency_key: Optional[str] = None,"] : []),
    "        extra_headers: Optional[Mapping[str, str]] = None,",
    "        timeout: Optional[float] = None,",
  ];
  if (keywords.some((k) => !k.required)) annotations.push("Union");
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => `{encode_path(${identifier(name)})}`);
  const pathLiteral = op.pathParams.length ? `f${pyString(path)}` : pyString(path);
  const values = `{${keywords.map((k) => `${pyString(k.wire)}: ${k.name}`).join(", ")}}`;
  const options = [
    ...(op.body ? [`body=${values}`] : []),
    ...(op.authenticated ? [] : ["authenticated=False"]),
    ...(op.idempotent ? ["idempotent=True", "idempotency_key=idempotency_key"] : []),
    // A file (an export) comes as CSV or JSON: accept whatever the job produced.
    op.response.kind === "file"
      ? 'extra_headers={"Accept": "*/*", **(extra_headers or {})}'
      : "extra_headers=extra_headers",
    "timeout=timeout",
  ];
  const query = op.queryParams.length ? values : "{}";
  // Every kind of answer takes its query parameters (a file's or a stream's included).
  const queryOption = op.queryParams.length ? [`query=${query}`] : [];
  const call = {
    list: `return self._client.paginate(${pathLiteral}, ${query}, cursor=${op.response.kind === "list" && op.response.cursor ? "True" : "False"}, ${options.join(", ")})`,
    envelope: `return self._client.get_data(${[pyString(op.method), pathLiteral, ...queryOption, ...options].join(", ")})`,
    empty: `self._client.request(${[pyString(op.method), pathLiteral, ...queryOption, ...options].join(", ")})`,
    file: `return self._client.request(${[pyString(op.method), pathLiteral, ...queryOption, ...options].join(", ")}).body`,
    eventStream: `return self._client.stream(${pathLiteral}, ${query}, ${options.join(", ")})`,
  }[op.response.kind];
  return [
    `    def ${identifier(op.verb)}(`,
    ...signature,
    `    ) -> ${returns}:`,
    docstring(methodDoc(op, [...positional, ...keywords]), "        "),
    ...wrapCall(call, "        "),
    "",
  ].join("\n");
}

function queryObject(params: Parameter[]): JsonSchema {
  return {
    type: "object",
    properties: Object.fromEntries(
      params.map((p) => [p.name, p.description ? { ...p.schema, description: p.description } : p.schema]),
    ),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}

function returnAnnotation(op: Operation, types: TypeWriter): string {
  const hint = `${typePrefix(op)}Response`;
  switch (op.response.kind) {
    case "list":
      return `Paginator[${types.model(op.response.item, `${hint}Item`)}]`;
    case "envelope":
      return types.model(op.response.data, hint);
    case "empty":
      return "None";
    case "file":
      return "bytes";
    case "eventStream":
      return `EventStream[${types.model(op.response.item, `${hint}Event`)}]`;
  }
}

function methodDoc(op: Operation, args: Argument[]): string {
  const lines = [`${op.summary}.`.replace(/\.\.$/, "."), ""];
  // Paragraphs once each: some descriptions repeat their scope line.
  if (op.description) lines.push([...new Set(op.description.split(/\n\s*\n/))].join("\n\n"), "");
  const returns: Record<Operation["response"]["kind"], string> = {
    list: "Returns a lazy iterator over every item, fetching one page per request as it goes.",
    envelope: "Returns the response's `data`.",
    empty: "Returns None (the API answers 204 No Content).",
    file: "Returns the file's bytes as the API sent them.",
    eventStream: [
      "Returns once the server accepted the stream: an iterator (and context manager) over each",
      "event as it comes, reconnecting with `Last-Event-ID` when the connection drops; `close()` or",
      "leaving the `with` block closes it. The timeout bounds the connection and each silence.",
    ].join("\n"),
  };
  lines.push(returns[op.response.kind], "");
  const documented = args.filter((a) => a.description);
  const options = [
    ...(op.idempotent
      ? [
          "idempotency_key: Sent as `Idempotency-Key`; by default a new UUID v4, the same across the retries of this call.",
        ]
      : []),
    "extra_headers: More request headers (`If-Match`, say).",
    "timeout: Seconds for this request instead of the client's timeout.",
  ];
  lines.push("Args:");
  for (const arg of documented) lines.push(`    ${arg.name}: ${oneLine(arg.description as string)}`);
  for (const option of options) lines.push(`    ${option}`);
  return lines.join("\n");
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** A call on one line when it fits, else one argument per line. */
function wrapCall(call: string, indent: string): string[] {
  if (indent.length + call.length <= 110) return [indent + call];
  const open = call.indexOf("(");
  const args = splitTopLevel(call.slice(open + 1, call.lastIndexOf(")")));
  const tail = call.slice(call.lastIndexOf(")") + 1);
  return [
    `${indent}${call.slice(0, open + 1)}`,
    ...args.flatMap((arg) => wrapArgument(arg, `${indent}    `)),
    `${indent})${tail}`,
  ];
}

/** An argument on one line when it fits, else a dict (`body={...}`) with one entry per line. */
function wrapArgument(arg: string, indent: string): string[] {
  const open = arg.indexOf("{");
  if (indent.length + arg.length < 110 || open < 0 || !arg.endsWith("}")) return [`${indent}${arg},`];
  return [
    `${indent}${arg.slice(0, open + 1)}`,
    ...splitTopLevel(arg.slice(open + 1, -1)).map((entry) => `${indent}    ${entry},`),
    `${indent}},`,
  ];
}

function resourcesIndex(resources: Resource[], types: TypeWriter): string {
  const lines = resources.map(
    (r) => `from .${identifier(r.path[0] as string)} import ${allClasses(r, types).join(", ")}`,
  );
  const names = resources.flatMap((r) => allClasses(r, types));
  return [
    HEADER.trimEnd(),
    '"""One module per resource of the API."""',
    "",
    ...lines,
    "",
    `__all__ = [${names.map(pyString).join(", ")}]`,
    "",
  ].join("\n");
}

function clientModule(model: Model, types: TypeWriter): string {
  const properties = model.resources.map((r) => {
    const name = identifier(r.path[0] as string);
    return [
      "    @cached_property",
      `    def ${name}(self) -> ${className(r.path, types)}:`,
      docstring(resourceSummary(r), "        "),
      `        return ${className(r.path, types)}(self)`,
      "",
    ].join("\n");
  });
  return [
    HEADER.trimEnd(),
    `"""The client of the ${model.title} ${model.version}."""`,
    "",
    "from __future__ import annotations",
    "",
    "from functools import cached_property",
    "",
    "from ._core.transport import BaseClient",
    `from .resources import ${model.resources.map((r) => className(r.path, types)).join(", ")}`,
    "",
    '__all__ = ["Client"]',
    "",
    "",
    "class Client(BaseClient):",
    docstring(
      [
        "A client of the Voltasis API: `voltasis.Client(api_key=..., base_url=...)`.",
        "",
        "Both default to the environment (`VOLTASIS_API_KEY`, `VOLTASIS_BASE_URL`). Each resource",
        "of the API is an attribute (`client.projects`, `client.time_entries`, ...); see",
        "`BaseClient.__init__` for the options (timeout, max_retries, organization_id, ...).",
      ].join("\n"),
      "    ",
    ),
    "",
    properties.join("\n"),
  ].join("\n");
}
