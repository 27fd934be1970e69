/**
 * Which server and which credential a command uses, and the SDK client made from them. The
 * credential is `VOLTASIS_API_KEY` if set, else the profile's API key, else its user session; the
 * server `--base-url`, else `VOLTASIS_BASE_URL`, else the profile's, else the SDK's default.
 *
 * A user session's access token lasts 24 h and its refresh token 30 days (SPEC §3): an access token
 * known to have expired is refreshed before the command, and one the API calls expired
 * (401 `expired_token`) is refreshed and the request sent again, once. Either way the new pair is
 * saved, under a lock, because a refresh token works once: a second use ends the session.
 */
import { Voltasis } from "@voltasis/sdk";
import { type Profile, readConfig, updateProfile, withConfigLock } from "./config.js";
import { CliError } from "./errors.js";
import type { Output } from "./output.js";

export interface GlobalOptions {
  profile: string;
  baseUrl?: string;
  org?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Refreshed this long before the stored expiry, so a token does not run out mid-command. */
const EXPIRY_MARGIN_MS = 60_000;

export type Credential =
  | { kind: "api_key"; source: "VOLTASIS_API_KEY" | "profile"; secret: string }
  | { kind: "user_token"; accessToken: string };

const expiresSoon = (at: string | undefined) =>
  at !== undefined && Date.parse(at) - EXPIRY_MARGIN_MS <= Date.now();

export class Session {
  readonly options: GlobalOptions;
  readonly output: Output;
  readonly #env: NodeJS.ProcessEnv;

  constructor(options: GlobalOptions, output: Output, env: NodeJS.ProcessEnv = process.env) {
    this.options = options;
    this.output = output;
    this.#env = env;
  }

  get profileName(): string {
    return this.options.profile;
  }

  profile(): Profile | undefined {
    return readConfig().profiles[this.profileName];
  }

  get baseURL(): string | undefined {
    return this.options.baseUrl || this.#env.VOLTASIS_BASE_URL?.trim() || this.profile()?.base_url;
  }

  credential(): Credential | undefined {
    const fromEnv = this.#env.VOLTASIS_API_KEY?.trim();
    if (fromEnv) return { kind: "api_key", source: "VOLTASIS_API_KEY", secret: fromEnv };
    const profile = this.profile();
    if (profile?.api_key) return { kind: "api_key", source: "profile", secret: profile.api_key };
    if (profile?.access_token) return { kind: "user_token", accessToken: profile.access_token };
    return undefined;
  }

  /** A client without a credential: for signing in. */
  anonymous(baseURL = this.baseURL): Voltasis {
    return new Voltasis({ apiKey: null, baseURL, fetch: this.#loggingFetch(), onRetry: this.#onRetry() });
  }

  /** A client with a given API key or access token (login checks one before saving it). */
  withToken(token: string, baseURL = this.baseURL): Voltasis {
    return new Voltasis({
      apiKey: token,
      baseURL,
      organizationId: this.options.org,
      fetch: this.#loggingFetch(),
      onRetry: this.#onRetry(),
    });
  }

  /** The client of the credential in force (see credential()); not logged in is an error with the way out. */
  async client(): Promise<Voltasis> {
    const credential = this.credential();
    if (credential?.kind === "api_key" && credential.source === "VOLTASIS_API_KEY") {
      return this.withToken(credential.secret);
    }
    return this.profileClient();
  }

  /** The client of the profile's own credential, whatever the environment says: logout ends this one. */
  async profileClient(): Promise<Voltasis> {
    const profile = this.profile();
    if (profile?.api_key) return this.withToken(profile.api_key);
    if (!profile?.access_token) {
      throw new CliError(
        `Not logged in (profile "${this.profileName}")`,
        "Run `voltasis login`, or set VOLTASIS_API_KEY.",
      );
    }
    let accessToken = profile.access_token;
    if (expiresSoon(profile.access_token_expires_at)) accessToken = await this.refresh(accessToken);
    const session = { accessToken };
    return new Voltasis({
      apiKey: null,
      accessToken,
      baseURL: this.baseURL,
      organizationId: this.options.org,
      fetch: this.#refreshingFetch(session),
      onRetry: this.#onRetry(),
    });
  }

  /**
   * A new access token for the profile's session, unless another command refreshed it since
   * `stale` was read: then that one. Saved before it is used.
   */
  async refresh(stale: string): Promise<string> {
    return withConfigLock(async () => {
      const profile = this.profile();
      if (!profile?.refresh_token) {
        throw new CliError(`Not logged in (profile "${this.profileName}")`, "Run `voltasis login`.");
      }
      const current = profile.access_token;
      if (current && current !== stale && !expiresSoon(profile.access_token_expires_at)) return current;
      if (this.options.verbose) this.output.info("* refreshing the access token");
      const renewed = await this.anonymous().auth.refresh({ refresh_token: profile.refresh_token });
      updateProfile(this.profileName, { ...profile, ...sessionFields(renewed) });
      return renewed.access_token;
    });
  }

  /** Replays a request once with a refreshed token when the API says the token expired. */
  #refreshingFetch(session: { accessToken: string }): typeof fetch {
    const send = this.#loggingFetch();
    return async (input, init) => {
      const response = await send(input, init);
      if (response.status !== 401 || !(await saysExpired(response))) return response;
      await response.body?.cancel();
      session.accessToken = await this.refresh(session.accessToken);
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${session.accessToken}`);
      return send(input, { ...init, headers });
    };
  }

  /** With --verbose: each request's method, URL, status, request id and time; never a header. */
  #loggingFetch(): typeof fetch {
    const verbose = this.options.verbose;
    return async (input, init) => {
      if (!verbose) return fetch(input, init);
      const started = Date.now();
      this.output.info(`> ${init?.method ?? "GET"} ${String(input)}`);
      const response = await fetch(input, init);
      const id = response.headers.get("x-request-id") ?? "no request id";
      this.output.info(`< ${response.status} ${response.statusText} (${id}, ${Date.now() - started} ms)`);
      return response;
    };
  }

  #onRetry() {
    if (!this.options.verbose) return undefined;
    return (event: { retry: number; delayMs: number; error: { status?: number; code: string } }) =>
      this.output.info(
        `* retry ${event.retry} in ${event.delayMs} ms after ${event.error.status ?? event.error.code}`,
      );
  }
}

async function saysExpired(response: Response): Promise<boolean> {
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { error?: { details?: { reason?: unknown } } } | undefined;
  return body?.error?.details?.reason === "expired_token";
}

/** What a profile keeps of a login or refresh answer (SPEC §3's token response). */
export function sessionFields(session: {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
  user: { email: string };
  organization: { id: string; name: string };
}): Profile {
  const at = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
  return {
    access_token: session.access_token,
    access_token_expires_at: at(session.expires_in),
    refresh_token: session.refresh_token,
    refresh_token_expires_at: at(session.refresh_expires_in),
    email: session.user.email,
    organization: { id: session.organization.id, name: session.organization.name },
  };
}
