/**
 * The CLI's configuration file: `$XDG_CONFIG_HOME/voltasis/config.json` (default
 * `~/.config/voltasis/config.json`), one entry per profile. It holds credentials, so the directory
 * is 0700 and the file 0600, and every write replaces the file whole (a temporary file renamed
 * over it) so that a crash or a second process never leaves half a file.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CliError } from "./errors.js";

export interface Profile {
  /** The server, as given to `login` (`--base-url`, `VOLTASIS_BASE_URL`, or the SDK's default). */
  base_url?: string;
  /** An API key (`vlt_live_…`), from `login --api-key`. */
  api_key?: string;
  /** A user session, from `login` with e-mail and password. */
  access_token?: string;
  access_token_expires_at?: string;
  refresh_token?: string;
  refresh_token_expires_at?: string;
  /** Who logged in, to name them without a request. */
  email?: string;
  organization?: { id: string; name: string };
}

export interface ConfigFile {
  profiles: Record<string, Profile>;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG Base Directory spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), ".config");
  return path.join(base, "voltasis");
}

export const configPath = (env?: NodeJS.ProcessEnv) => path.join(configDir(env), "config.json");

export function readConfig(file = configPath()): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { profiles: {} };
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ConfigFile>;
    return { profiles: parsed.profiles ?? {} };
  } catch {
    throw new CliError(`${file} is not valid JSON: fix or remove it, then log in again`);
  }
}

export function writeConfig(config: ConfigFile, file = configPath()): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory's mode alone, and the umask may have widened a new one.
  fs.chmodSync(dir, 0o700);
  const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  fs.renameSync(temporary, file);
}

/** Changes one profile (undefined removes it), reading the file afresh so no other profile is lost. */
export function updateProfile(name: string, profile: Profile | undefined, file = configPath()): void {
  const config = readConfig(file);
  if (profile) config.profiles[name] = profile;
  else delete config.profiles[name];
  writeConfig(config, file);
}

const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 30_000;

/**
 * Runs `work` holding `config.json.lock`, so that two commands refreshing one session at the same
 * time do not both spend its refresh token (the API then ends the whole session). A lock left by a
 * process that died is taken over once it is older than any refresh takes.
 */
export async function withConfigLock<T>(work: () => Promise<T>, file = configPath()): Promise<T> {
  const lock = `${file}.lock`;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, "wx", 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new CliError(`${lock} is held by another voltasis command`);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
