import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasToolchain, ROOT, runSuite, startConformanceServer } from "./harness.js";

/**
 * The Python SDK's own suite (sdks/python/tests, `python3 -m unittest`): unit tests of its core,
 * the conformance scenario (test/sdk/SCENARIO.md) and its README's examples, the last two against
 * the live server started here, whose URL it gets in VOLTASIS_BASE_URL.
 */
const PYTHON = "python3";
const available = hasToolchain(PYTHON);
if (!available) {
  console.warn(`Python SDK suite skipped: \`${PYTHON} --version\` did not run (install Python >= 3.9)`);
}

describe.skipIf(!available)("Python SDK (sdks/python)", () => {
  let server: Awaited<ReturnType<typeof startConformanceServer>>;
  beforeAll(async () => {
    server = await startConformanceServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("passes its unit tests, the conformance scenario and the README's examples", async () => {
    const { code, output } = await runSuite(
      PYTHON,
      ["-m", "unittest", "discover", "-s", "tests", "-t", "."],
      {
        cwd: path.join(ROOT, "sdks/python"),
        // No key from the environment of the run: each test says which credential it uses.
        env: { VOLTASIS_BASE_URL: server.baseUrl, VOLTASIS_API_KEY: "", PYTHONDONTWRITEBYTECODE: "1" },
        timeoutMs: 180_000,
      },
    );
    expect(code, output).toBe(0);
    // With a server, nothing may be skipped: the scenario and the README must have run.
    expect(output, output).not.toMatch(/skipped=/);
    expect(output).toMatch(/^OK$/m);
  }, 200_000);
});
