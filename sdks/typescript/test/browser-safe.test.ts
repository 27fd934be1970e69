import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../src");

/** Every file a browser may load: the whole of src/ (tests may use Node freely). */
function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

describe("browser safety", () => {
  it("nothing under src/ imports a Node built-in (the build's DOM-only types refuse Node globals)", () => {
    const offenders = sources()
      .filter((file) =>
        /\b(from|import)\s*\(?\s*["'](node:[^"']+|fs|http|https|crypto|path|buffer)["'/]/.test(
          readFileSync(file, "utf8"),
        ),
      )
      .map((file) => path.relative(SRC, file));
    expect(offenders).toEqual([]);
    const build = JSON.parse(
      readFileSync(path.resolve(SRC, "../tsconfig.build.json"), "utf8").replace(/^\s*\/\/.*$/gm, ""),
    );
    expect(build.compilerOptions.types).toEqual([]);
    expect(build.compilerOptions.lib).toContain("DOM");
  });
});
