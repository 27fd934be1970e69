import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasToolchain, ROOT, runSuite, startConformanceServer } from "./harness.js";

/**
 * The Ruby SDK's own minitest suite (sdks/ruby/test/all.rb): unit tests of its hand-written core,
 * the conformance scenario (SCENARIO.md) and its README's examples, the last two against the
 * server started here. Skipped, with a message saying so, where Ruby is not installed.
 */
const RUBY = hasToolchain("ruby");
const SKIPPED = "skipped: the `ruby` command is missing (apt-get install ruby)";
if (!RUBY) console.warn(`test/sdk/ruby.test.ts: ${SKIPPED}`);

describe.skipIf(!RUBY)(RUBY ? "Ruby SDK (sdks/ruby)" : `Ruby SDK (sdks/ruby): ${SKIPPED}`, () => {
  let server: Awaited<ReturnType<typeof startConformanceServer>> | undefined;

  beforeAll(async () => {
    server = await startConformanceServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("passes its suite: the core's unit tests, the conformance scenario and the README", async () => {
    const result = await runSuite("ruby", ["-w", "test/all.rb"], {
      cwd: path.join(ROOT, "sdks/ruby"),
      // No key from the caller's environment: the suite registers its own accounts.
      env: { VOLTASIS_BASE_URL: server?.baseUrl ?? "", VOLTASIS_API_KEY: "" },
      timeoutMs: 180_000,
    });
    expect(result.code, result.output).toBe(0);
    // A skipped scenario would mean the server's URL did not reach the suite.
    expect(result.output, result.output).toMatch(/\d+ runs, \d+ assertions, 0 failures, 0 errors, 0 skips/);
    expect(result.output, "Ruby warnings").not.toMatch(/warning:/);
  }, 200_000);
});
