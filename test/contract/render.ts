import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/platform/config.js";
import { connect } from "../../src/platform/db/connection.js";

/**
 * The OpenAPI documents as the server serves them, rendered without a database: building the app
 * opens no connection until a request needs one, and with workers off nothing runs in the
 * background. Stable text (two-space JSON, trailing newline) so the committed files diff well.
 */
export async function renderOpenApiDocuments(): Promise<Record<string, string>> {
  const database = connect("postgres://contract@127.0.0.1:1/none", { max: 1 });
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: "error", VOLTASIS_WORKERS: "off", VOLTASIS_RATE_LIMITS: "off" }),
    database,
  });
  try {
    await app.ready();
    const v1 = await app.inject({ method: "GET", url: "/v1/openapi.json" });
    return { "v1.json": `${JSON.stringify(v1.json(), null, 2)}\n` };
  } finally {
    await app.close();
    await database.close();
  }
}
