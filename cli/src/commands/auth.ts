/** `voltasis login`, `logout` and `whoami`: signing in and out, and who the credential is. */
import { AuthenticationError, type Me } from "@voltasis/sdk";
import { type Command, Option } from "commander";
import { read } from "read";
import { type Profile, updateProfile } from "../config.js";
import { CliError, UsageError } from "../errors.js";
import { invocation } from "../invocation.js";
import type { Output } from "../output.js";
import { type Session, sessionFields } from "../session.js";

interface LoginOptions {
  apiKey?: string;
  email?: string;
  passwordStdin?: boolean;
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  // Only the line end that `echo` or a here-string adds: a password may end in spaces.
  return text.replace(/\r?\n$/, "");
}

/** Asks at the terminal (prompts on stderr, so stdout stays data); the password is not echoed. */
async function ask(prompt: string, secret: boolean): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new UsageError("not a terminal: use --email with --password-stdin, or --api-key");
  }
  const answer = await read({ prompt, silent: secret, replace: secret ? "*" : "", output: process.stderr });
  return String(answer).trim();
}

function printMe(output: Output, session: Session, me: Me): void {
  const credential = session.credential();
  const profile = session.profile();
  const how =
    credential?.kind === "api_key"
      ? credential.source === "VOLTASIS_API_KEY"
        ? "API key from VOLTASIS_API_KEY"
        : "API key"
      : `user session (refreshed as needed until ${profile?.refresh_token_expires_at ?? "it ends"})`;
  output.record(me, [
    ["email", me.email],
    ["name", me.name],
    ["role", me.role],
    ["organization", `${me.organization.name} (${me.organization.id})`],
    ["mode", me.mode],
    ["scopes", me.scopes.join(", ")],
    ["server", session.baseURL ?? "http://127.0.0.1:3000 (default)"],
    ["credential", how],
    ["profile", session.profileName],
  ]);
}

async function login(command: Command): Promise<void> {
  const { options, output, session } = invocation<LoginOptions>(command);
  const baseURL = session.baseURL;
  let profile: Profile;
  let me: Me;
  if (options.apiKey !== undefined) {
    const apiKey = options.apiKey === "-" ? (await readStdin()).trim() : options.apiKey;
    me = await session.withToken(apiKey, baseURL).auth.me();
    profile = {
      api_key: apiKey,
      email: me.email,
      organization: { id: me.organization.id, name: me.organization.name },
    };
  } else {
    const email = options.email ?? (await ask("E-mail: ", false));
    const password = options.passwordStdin ? await readStdin() : await ask("Password: ", true);
    if (!email || !password) throw new UsageError("an e-mail and a password are needed");
    const signedIn = await session.anonymous(baseURL).auth.login({ email, password });
    profile = sessionFields(signedIn);
    me = await session.withToken(signedIn.access_token, baseURL).auth.me();
  }
  updateProfile(session.profileName, { ...(baseURL ? { base_url: baseURL } : {}), ...profile });
  output.success(
    `Logged in as ${me.email} (${me.organization.name}) on ${baseURL ?? "the default server"}; saved to profile "${session.profileName}"`,
  );
  if (process.env.VOLTASIS_API_KEY)
    output.warn("VOLTASIS_API_KEY is set: commands use it, not this profile.");
  if (options.json) output.data(me);
}

async function logout(command: Command): Promise<void> {
  const { output, session } = invocation(command);
  const profile = session.profile();
  if (!profile?.api_key && !profile?.access_token) {
    throw new CliError(`Not logged in (profile "${session.profileName}")`);
  }
  if (profile.access_token) {
    try {
      await (await session.profileClient()).auth.logout();
    } catch (error) {
      // A session the API ended already (expired, logged out elsewhere) is forgotten all the same.
      if (!(error instanceof AuthenticationError) && !(error instanceof CliError)) throw error;
    }
  }
  updateProfile(session.profileName, undefined);
  output.success(`Logged out of profile "${session.profileName}"`);
  if (profile.api_key)
    output.info("The API key itself still works until it is revoked (voltasis keys revoke).");
  if (process.env.VOLTASIS_API_KEY) output.warn("VOLTASIS_API_KEY is set: commands keep using it.");
}

export function registerAuth(program: Command): void {
  program
    .command("login")
    .description("sign in, with e-mail and password (asked for) or an API key, and save it in the profile")
    .addOption(
      new Option("--api-key <key>", "an API key (vlt_live_…); - reads it from stdin").conflicts([
        "email",
        "passwordStdin",
      ]),
    )
    .option("--email <email>", "your e-mail address (asked for if missing)")
    .option("--password-stdin", "read the password from stdin, for scripts")
    .action((_options, command: Command) => login(command));

  program
    .command("logout")
    .description("end the profile's session and forget its credential")
    .action((_options, command: Command) => logout(command));

  program
    .command("whoami")
    .description("who the credential belongs to, in which organization, with which scopes")
    .action(async (_options, command: Command) => {
      const { output, session } = invocation(command);
      printMe(output, session, await (await session.client()).auth.me());
    });
}
