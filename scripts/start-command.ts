import { readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

/**
 * Node's own arguments in `npm start` (package.json's `start` script), before the entry file:
 * the heap flags and tsx's loader. Tests, the soak and the bench start the API with these, so
 * that they run the process exactly as a user does.
 */
export function startNodeArguments(): string[] {
  return nodeArgumentsOf(scriptOf("start"), "src/main.ts");
}

/** The Node arguments of package.json's script `name`, which must run `node … <entry>`. */
export function nodeArgumentsOf(script: string, entry: string): string[] {
  const words = script.trim().split(/\s+/);
  if (words[0] !== "node" || words.at(-1) !== entry) {
    throw new Error(`expected the script to run \`node … ${entry}\`, found \`${script}\``);
  }
  return words.slice(1, -1);
}

export function scriptOf(name: string): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const script = pkg.scripts[name];
  if (!script) throw new Error(`package.json has no "${name}" script`);
  return script;
}
