import { readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

// The README promises Node.js 20 or later. npm only warns (EBADENGINE) when a package's
// `engines.node` excludes the running Node, so a dependency bump can quietly break that promise;
// this reads the lock file npm installs from and fails instead. .ci/run also fails on the warning.
const ROOT = path.resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; dev?: boolean; engines?: { node?: string } }>;
};

const installed = Object.entries(lock.packages)
  .filter(([where, info]) => where !== "" && typeof info.engines?.node === "string")
  .map(([where, info]) => ({
    name: `${where.replace(/^.*node_modules\//, "")}@${info.version}`,
    dev: info.dev === true,
    range: info.engines?.node as string,
  }));

describe("the dependency tree agrees with the Node versions the README promises", () => {
  it("the promise itself is Node 20 or later", () => {
    expect(semver.minVersion(manifest.engines.node)?.major).toBe(20);
  });

  it("every package `npm start` needs accepts the oldest Node the README promises", () => {
    const oldest = semver.minVersion(manifest.engines.node)?.version as string;
    const refusing = installed
      .filter((p) => !p.dev && !semver.satisfies(oldest, p.range))
      .map((p) => `${p.name} wants node ${p.range}`);
    expect(refusing).toEqual([]);
  });

  it("every installed package, development ones included, accepts the Node running this test", () => {
    const refusing = installed
      .filter((p) => !semver.satisfies(process.versions.node, p.range))
      .map((p) => `${p.name} wants node ${p.range}`);
    expect(refusing).toEqual([]);
  });
});
