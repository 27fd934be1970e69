import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // sdks/typescript/test: the TypeScript SDK's unit tests (no server; run alone by npm test -w @voltasis/sdk).
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "sdks/typescript/test/**/*.test.ts"],
    // One embedded PostgreSQL for the whole run; each test file gets a fresh database.
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
