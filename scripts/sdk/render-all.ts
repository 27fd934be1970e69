import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { render as renderGo } from "./go.js";
import { buildModel, GENERATED_NOTICE, type Model } from "./model.js";
import { render as renderPython } from "./python.js";
import { render as renderRuby } from "./ruby.js";
import { render as renderTypeScript } from "./typescript.js";

/** A language's renderer: the generated files of its SDK, path (from the repository root) → text. */
export type Renderer = (model: Model) => Record<string, string> | Promise<Record<string, string>>;

const RENDERERS: Renderer[] = [renderTypeScript, renderPython, renderGo, renderRuby];

export async function renderAll(document: Record<string, unknown>): Promise<Record<string, string>> {
  const model = buildModel(document);
  const files: Record<string, string> = {};
  for (const render of RENDERERS) Object.assign(files, await render(model));
  for (const [file, text] of Object.entries(files)) {
    if (!text.includes(GENERATED_NOTICE))
      throw new Error(`${file}: a generated file must carry GENERATED_NOTICE`);
  }
  return files;
}

/** Files under sdks/ that say they are generated (carry the notice), as paths from `root`. */
export function generatedFilesOnDisk(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!["node_modules", "dist", "__pycache__", ".pytest_cache"].includes(entry.name)) walk(full);
      } else if (readFileSync(full, "utf8").includes(GENERATED_NOTICE)) {
        found.push(path.relative(root, full));
      }
    }
  };
  walk(path.join(root, "sdks"));
  return found.sort();
}
