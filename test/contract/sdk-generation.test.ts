import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generatedFilesOnDisk, renderAll } from "../../scripts/sdk/render-all.js";

/**
 * The SDKs are generated from the committed contract: a new endpoint reaches every language by
 * regenerating (`npm run sdk:generate`), and nobody edits a generated file by hand. This fails when
 * regenerating would change, add or remove any file.
 */
const root = path.resolve(import.meta.dirname, "../..");

describe("SDK generation", () => {
  it("the generated files in sdks/ are exactly what npm run sdk:generate renders", async () => {
    const document = JSON.parse(readFileSync(path.join(root, "openapi/v1.json"), "utf8"));
    const files = await renderAll(document);
    expect(generatedFilesOnDisk(root), "generated files without a source: npm run sdk:generate").toEqual(
      Object.keys(files).sort(),
    );
    for (const [file, text] of Object.entries(files)) {
      expect(
        readFileSync(path.join(root, file), "utf8") === text,
        `${file} is stale: npm run sdk:generate`,
      ).toBe(true);
    }
  });
});
