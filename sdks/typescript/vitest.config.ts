import { defineConfig } from "vitest/config";

/**
 * `npm test -w @voltasis/sdk`: the unit tests of the core, which need no server. The root's
 * `npm test` runs them too, beside the conformance scenario (test/sdk/typescript.test.ts).
 */
export default defineConfig({
  test: { include: ["test/**/*.test.ts"] },
});
