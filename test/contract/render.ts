import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/platform/config.js";
import { connect } from "../../src/platform/db/connection.js";
import { API_VERSIONS } from "../../src/platform/versions.js";

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
    const documents: Record<string, string> = {};
    for (const version of API_VERSIONS) {
      const res = await app.inject({ method: "GET", url: `/${version}/openapi.json` });
      documents[`${version}.json`] = `${JSON.stringify(res.json(), null, 2)}\n`;
    }
    return documents;
  } finally {
    await app.close();
    await database.close();
  }
}
