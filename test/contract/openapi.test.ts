import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../src/platform/errors.js";
import { renderOpenApiDocuments } from "./render.js";

/**
 * openapi/ is the committed contract the SDKs are generated from. It must be exactly what the
 * server serves: a change to a route's schema changes the document, and the commit that makes it
 * regenerates the file (`npm run openapi:write`) so the change shows up in review. `npm run lint`
 * lints it with Redocly.
 */
const documents = await renderOpenApiDocuments();
const committed = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, "../../openapi", name), "utf8");

type Doc = {
  paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { properties?: Record<string, { properties?: unknown }> }> };
};

describe("the committed OpenAPI contract", () => {
  for (const name of Object.keys(documents)) {
    it(`openapi/${name} is what the server serves (run npm run openapi:write after changing a route)`, () => {
      expect(
        committed(name) === documents[name],
        `openapi/${name} is out of date: npm run openapi:write`,
      ).toBe(true);
    });
  }

  it("names every resource, lists every error code, and gives every operation an id and its errors", () => {
    const doc = JSON.parse(documents["v1.json"] as string) as Doc;
    for (const resource of [
      "TimeEntry",
      "Project",
      "Client",
      "Task",
      "Tag",
      "Webhook",
      "Delivery",
      "Job",
      "ApiKey",
    ]) {
      expect(doc.components.schemas[resource], resource).toBeDefined();
    }
    const error = doc.components.schemas.ErrorEnvelope?.properties?.error as {
      properties: { code: { enum: string[] } };
    };
    expect(error.properties.code.enum.sort()).toEqual(Object.keys(ERROR_STATUS).sort());
    for (const [route, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        expect(op.operationId, `${method} ${route}`).toMatch(/^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)+$/);
        expect(Object.keys(op.responses), `${method} ${route}`).toEqual(
          expect.arrayContaining(["429", "500"]),
        );
      }
    }
    // A read answers no conflict unless it declares one; a write with an id can fail its If-Match.
    expect(doc.paths["/v1/projects/{id}"]?.get?.responses["409"]).toBeUndefined();
    expect(doc.paths["/v1/projects/{id}"]?.patch?.responses["412"]).toBeDefined();
    expect(doc.paths["/health"]?.get?.responses["401"]).toBeUndefined();
  });
});
