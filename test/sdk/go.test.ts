import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasToolchain, ROOT, runSuite, startConformanceServer } from "./harness.js";

/**
 * The Go SDK (sdks/go) against a live server: `go test` runs its unit tests, the conformance
 * scenario (test/sdk/SCENARIO.md), the live event stream and every ```go block of its README and
 * of docs/sdks.md. Skipped, saying so, where the `go` command is missing (CI installs Debian's
 * golang-go).
 */
const GO = hasToolchain("go", ["version"]);
const MISSING = "skipped: the `go` command is missing (apt-get install golang-go)";

describe("Go SDK (sdks/go)", () => {
  if (!GO) {
    console.warn(`Go SDK suite ${MISSING}`);
    it.skip(MISSING, () => {});
    return;
  }
  let server: Awaited<ReturnType<typeof startConformanceServer>>;
  beforeAll(async () => {
    server = await startConformanceServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("passes go test: the core's unit tests, the conformance scenario and the README's examples", async () => {
    const { code, output } = await runSuite("go", ["test", "-count=1", "-v", "-timeout", "200s", "./..."], {
      cwd: path.join(ROOT, "sdks/go"),
      env: {
        VOLTASIS_BASE_URL: server.baseUrl,
        VOLTASIS_API_KEY: "",
        // Standard library only: nothing to download, and no C compiler needed.
        GOFLAGS: "-mod=mod",
        GOPROXY: "off",
        GOTOOLCHAIN: "local",
        CGO_ENABLED: "0",
        // go needs a build cache; without HOME (some CI runners) it has no default one.
        ...(process.env.HOME || process.env.GOCACHE
          ? {}
          : { GOCACHE: path.join(os.tmpdir(), "voltasis-go-cache") }),
      },
      timeoutMs: 220_000,
    });
    expect(code, output).toBe(0);
    // The tests that need the server skip without it: make sure they ran.
    for (const test of [
      "TestConformance",
      "TestConformance/webhook",
      "TestConformance/rate_limit",
      "TestReadme",
      "TestReadme/README.md",
      "TestReadme/sdks.md",
      "TestEventStreamLive",
      "TestEventStreamLive/resume",
      "TestEventStreamLive/slots",
    ]) {
      expect(output, output).toContain(`--- PASS: ${test} `);
    }
  }, 240_000);
});
