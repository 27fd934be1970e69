/**
 * Writes the OpenAPI documents the server serves to openapi/ (the committed contract the SDKs
 * and the console are generated from): `npm run openapi:write`. The test
 * test/contract/openapi.test.ts fails when the committed files drift from what the code serves.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { renderOpenApiDocuments } from "../test/contract/render.js";

const dir = path.resolve(import.meta.dirname, "../openapi");
for (const [name, text] of Object.entries(await renderOpenApiDocuments())) {
  writeFileSync(path.join(dir, name), text);
  process.stdout.write(`wrote openapi/${name}\n`);
}
