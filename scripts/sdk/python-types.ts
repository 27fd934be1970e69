/**
 * JSON Schema → Python annotations and TypedDicts for the Python SDK's renderer. Named schemas and
 * the objects inline in responses go to types/models.py; an operation's parameters (and the objects
 * inline in them) to types/<resource>_params.py. Inputs accept `datetime`/`date` where the API
 * takes a date-time or a date (the transport writes them as RFC 3339).
 */
import type { JsonSchema } from "./model.js";
import { pascal, refName } from "./model.js";
import { docstring, isIdentifier, pyLiteral, pyString, splitTopLevel } from "./python-text.js";

export interface Field {
  /** The key as the API spells it. */
  key: string;
  annotation: string;
  required: boolean;
  description?: string;
}

interface Declaration {
  name: string;
  module: string;
  text: string;
}

const TYPING = ["Any", "Dict", "List", "Literal", "Optional", "TypedDict", "Union"];
const MODELS = "models";

export type TypeWriter = ReturnType<typeof pythonTypes>;

export function pythonTypes(schemas: Record<string, JsonSchema>) {
  const declarations: Declaration[] = [];
  const moduleOf = new Map<string, string>();
  const annotationsOf = new Map<string, string[]>();
  const taken = new Set(Object.keys(schemas));

  const unique = (hint: string) => {
    let name = hint;
    for (let n = 2; taken.has(name); n++) name = `${hint}${n}`;
    taken.add(name);
    return name;
  };
  const use = (module: string, annotation: string) => {
    annotationsOf.set(module, [...(annotationsOf.get(module) ?? []), annotation]);
    return annotation;
  };

  function annotation(schema: JsonSchema | undefined, hint: string, module: string, input: boolean): string {
    if (!schema || typeof schema !== "object") return "Any";
    const ref = refName(schema);
    if (ref) return ref;
    const recurse = (s: JsonSchema | undefined, h = hint) => annotation(s, h, module, input);
    if (schema.const !== undefined) return `Literal[${pyLiteral(schema.const)}]`;
    if (schema.enum) {
      const literal = `Literal[${schema.enum
        .filter((v) => v !== null)
        .map(pyLiteral)
        .join(", ")}]`;
      return schema.enum.includes(null) ? union([literal, "None"]) : literal;
    }
    const variants = schema.anyOf ?? schema.oneOf;
    if (variants) return union(variants.map((v) => recurse(v)));
    if (Array.isArray(schema.type)) return union(schema.type.map((type) => recurse({ ...schema, type })));
    if (schema.nullable) return union([recurse({ ...schema, nullable: false }), "None"]);
    switch (schema.type) {
      case "string":
        if (input && schema.format === "date-time") return "Union[str, datetime]";
        if (input && schema.format === "date") return "Union[str, date]";
        return "str";
      case "integer":
        return "int";
      case "number":
        return "float";
      case "boolean":
        return "bool";
      case "null":
        return "None";
      case "array":
        return `List[${recurse(schema.items, singular(hint))}]`;
    }
    if (schema.properties && Object.keys(schema.properties).length > 0) {
      return typedDict(unique(hint), schema, module, input).name;
    }
    if (schema.allOf?.length === 1) return recurse(schema.allOf[0]);
    if (typeof schema.additionalProperties === "object") {
      return `Dict[str, ${recurse(schema.additionalProperties, `${hint}Value`)}]`;
    }
    return schema.type === "object" ? "Dict[str, Any]" : "Any";
  }

  function typedDict(name: string, schema: JsonSchema, module: string, input: boolean) {
    moduleOf.set(name, module);
    const required = new Set(schema.required ?? []);
    const fields: Field[] = Object.entries(schema.properties ?? {}).map(([key, property]) => ({
      key,
      annotation: use(module, annotation(property, name + pascal(key), module, input)),
      required: required.has(key),
      description: property.description,
    }));
    declarations.push({ name, module, text: renderTypedDict(name, fields, schema.description, unique) });
    return { name, fields };
  }

  for (const [name, schema] of Object.entries(schemas)) {
    if (schema.properties) typedDict(name, schema, MODELS, false);
    else {
      moduleOf.set(name, MODELS);
      const alias = use(MODELS, annotation(schema, name, MODELS, false));
      declarations.push({ name, module: MODELS, text: `${name} = ${alias}` });
    }
  }

  return {
    /** Whether a type of this name exists (so a resource class must not take it). */
    has: (name: string) => taken.has(name),

    /** The TypedDict of an operation's parameters, in `module`; its fields make the signature. */
    params(name: string, schema: JsonSchema, module: string): { fields: Field[] } {
      if (taken.has(name)) throw new Error(`Two Python types would be named ${name}`);
      taken.add(name);
      const fields = typedDict(name, schema, module, true).fields;
      // Methods repeat these annotations as keyword arguments: import from where they live.
      return { fields };
    },

    /** The annotation of what a response holds; its inline objects become TypedDicts in models. */
    model(schema: JsonSchema, hint: string): string {
      return use(MODELS, annotation(schema, hint, MODELS, false));
    },

    /** The import lines a module outside types/ needs for these annotations. */
    importsFor(annotations: string[], typesPackage: string, typing: string[] = []) {
      return imports(annotations, typing, (module) => `${typesPackage}.${module}`);
    },

    /** The files of types/: models.py, one <resource>_params.py per resource, __init__.py. */
    modules(packageDir: string, header: string): Record<string, string> {
      const files: Record<string, string> = {};
      const modules = [...new Set(declarations.map((d) => d.module))];
      const exported: Array<{ module: string; names: string[] }> = [];
      for (const module of modules) {
        const own = declarations.filter((d) => d.module === module);
        const names = own.map((d) => d.name).filter((n) => !n.startsWith("_"));
        exported.push({ module, names });
        const lines = imports(annotationsOf.get(module) ?? [], ["TypedDict"], (m) => `.${m}`, module);
        files[`${packageDir}/types/${module}.py`] = [
          header.trimEnd(),
          docstring(moduleDoc(module), ""),
          "",
          "from __future__ import annotations",
          "",
          ...lines.stdlib,
          ...(lines.local.length ? ["", ...lines.local] : []),
          "",
          `__all__ = [${names.map(pyString).join(", ")}]`,
          "",
          "",
          own.map((d) => d.text).join("\n\n\n"),
          "",
        ].join("\n");
      }
      files[`${packageDir}/types/__init__.py`] = [
        header.trimEnd(),
        '"""Every type of the API, for annotations: `from voltasis.types import Project`."""',
        "",
        ...exported.map(({ module, names }) => `from .${module} import ${names.join(", ")}`),
        "",
        `__all__ = [${exported
          .flatMap((e) => e.names)
          .map(pyString)
          .join(", ")}]`,
        "",
      ].join("\n");
      return files;
    },
  };

  function imports(annotations: string[], typing: string[], path: (module: string) => string, self?: string) {
    const text = annotations.join(" ");
    const mentions = (name: string) => new RegExp(`\\b${name}\\b`).test(text);
    const typingNames = [...new Set([...typing, ...TYPING.filter(mentions)])].sort();
    const stdlib: string[] = [];
    const dates = ["date", "datetime"].filter(mentions);
    if (dates.length) stdlib.push(`from datetime import ${dates.join(", ")}`);
    stdlib.push(`from typing import ${typingNames.join(", ")}`);
    const byModule = new Map<string, string[]>();
    for (const [name, module] of moduleOf) {
      if (module !== self && mentions(name)) byModule.set(module, [...(byModule.get(module) ?? []), name]);
    }
    const local = [...byModule].map(([module, names]) => `from ${path(module)} import ${names.join(", ")}`);
    return { stdlib, local };
  }
}

function moduleDoc(module: string): string {
  if (module === MODELS) {
    return "The API's objects (components.schemas of openapi/v1.json, and objects inline in responses) as TypedDicts.";
  }
  const resource = module.replace(/_params$/, "");
  return `The parameters of the \`${resource}\` operations as TypedDicts; each method takes them as keyword arguments.`;
}

/** `SummaryGroups` → `SummaryGroup`: the hint for the items of an array. */
function singular(hint: string): string {
  if (hint.endsWith("ies")) return `${hint.slice(0, -3)}y`;
  if (hint.endsWith("s") && !hint.endsWith("ss")) return hint.slice(0, -1);
  return `${hint}Item`;
}

/** `Union` of annotations, flattened and deduplicated; `Optional[...]` when None is one of them. */
function union(members: string[]): string {
  const flat = members.flatMap(flatten);
  if (flat.includes("Any")) return "Any";
  const unique = [...new Set(flat)];
  const nullable = unique.includes("None");
  const others = unique.filter((m) => m !== "None");
  if (others.length === 0) return "None";
  const inner = others.length === 1 ? (others[0] as string) : `Union[${others.join(", ")}]`;
  return nullable ? `Optional[${inner}]` : inner;
}

function flatten(annotation: string): string[] {
  const match = /^(Union|Optional)\[(.*)\]$/.exec(annotation);
  if (!match) return [annotation];
  const parts = splitTopLevel(match[2] as string);
  return match[1] === "Optional" ? [...parts.flatMap(flatten), "None"] : parts.flatMap(flatten);
}

/**
 * A TypedDict in class syntax, or, when a key cannot be a Python name (`from`), in the functional
 * syntax. Python 3.9 has no NotRequired: required and optional keys go in two classes.
 */
function renderTypedDict(
  name: string,
  fields: Field[],
  description: string | undefined,
  unique: (hint: string) => string,
): string {
  const required = fields.filter((f) => f.required);
  const optional = fields.filter((f) => !f.required);
  const doc = description ? [docstring(description, "    ")] : [];
  if (fields.every((f) => isIdentifier(f.key))) {
    const body = (list: Field[]) =>
      list.flatMap((f) => [
        `    ${f.key}: ${f.annotation}`,
        ...(f.description ? [docstring(f.description, "    "), ""] : []),
      ]);
    const block = (header: string, docLines: string[], list: Field[]) =>
      [header, ...(docLines.length ? [...docLines, ""] : []), ...body(list)].join("\n").trimEnd();
    if (optional.length === 0) return block(`class ${name}(TypedDict):`, doc, required);
    if (required.length === 0) return block(`class ${name}(TypedDict, total=False):`, doc, optional);
    const base = unique(`_${name}Required`);
    return [
      block(`class ${base}(TypedDict):`, [], required),
      block(`class ${name}(${base}, total=False):`, doc, optional),
    ].join("\n\n\n");
  }
  const functional = (base: string, list: Field[], total: boolean) =>
    [
      `${base} = TypedDict(`,
      `    ${pyString(base)},`,
      "    {",
      ...list.flatMap((f) => [
        ...(f.description ? [`        # ${f.description.replace(/\s+/g, " ").trim()}`] : []),
        `        ${pyString(f.key)}: ${quoted(f.annotation)},`,
      ]),
      "    },",
      ...(total ? [] : ["    total=False,"]),
      ")",
    ].join("\n");
  const parts: string[] = [];
  const bases: string[] = [];
  if (required.length) {
    bases.push(unique(`_${name}Required`));
    parts.push(functional(bases.at(-1) as string, required, true));
  }
  if (optional.length) {
    bases.push(unique(`_${name}Optional`));
    parts.push(functional(bases.at(-1) as string, optional, false));
  }
  parts.push([`class ${name}(${bases.join(", ")}):`, ...(doc.length ? doc : ["    pass"])].join("\n"));
  return parts.join("\n\n\n");
}

/** An annotation as a string (a forward reference): the functional syntax evaluates its values. */
function quoted(annotation: string): string {
  return annotation.includes('"') && !annotation.includes("'") ? `'${annotation}'` : pyString(annotation);
}
