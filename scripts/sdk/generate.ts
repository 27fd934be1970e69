/**
 * `npm run sdk:generate`: renders the four SDKs from the committed contract (openapi/v1.json).
 * Each language's renderer (scripts/sdk/<language>.ts) returns its generated files; this writes
 * them and deletes generated files no longer produced (an endpoint that went away). The
 * hand-written core of each SDK (transport, retries, pagination, errors, webhook verification)
 * carries no generated notice and is never touched. test/contract/sdk-generation.test.ts fails
 * when regenerating would change anything.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generatedFilesOnDisk, renderAll } from "./render-all.js";

const root = path.resolve(import.meta.dirname, "../..");
const document = JSON.parse(readFileSync(path.join(root, "openapi/v1.json"), "utf8"));
const files = await renderAll(document);
for (const stale of generatedFilesOnDisk(root).filter((file) => !(file in files))) {
  rmSync(path.join(root, stale));
}
for (const [file, text] of Object.entries(files)) {
  const target = path.join(root, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
}
process.stdout.write(`${Object.keys(files).length} files generated from openapi/v1.json\n`);
