/**
 * The guides in docs/ are run, so they cannot rot.
 *
 * The convention a guide follows (docs/README.md tells readers the same):
 *
 * - Every ```bash block is an example that runs. The line just before it declares the HTTP status
 *   of each curl in it, in order: `<!-- expect: 201 -->`, `<!-- expect: 204 401 -->`. A ```bash
 *   block without that line fails this test; commands a reader runs but the test cannot (`npm start`,
 *   `export` with a placeholder) go in ```sh blocks, illustrations in ```http, ```text or ```json.
 * - A block runs as `bash -euo pipefail` in an empty temporary directory with these variables:
 *     VOLTASIS_URL              the server this test started
 *     VOLTASIS_API_KEY          an API key with the `admin` scope, created by the guides' account
 *     VOLTASIS_ACCESS_TOKEN     an access token of that account, from a fresh login per block
 *     VOLTASIS_REFRESH_TOKEN    the refresh token of that login (so a block may log out or refresh)
 *     VOLTASIS_KEY_ID           the id of a fresh spare API key the block may revoke or roll
 *     VOLTASIS_OTHER_ORG_ID     another organization, where the account is a `member`
 *     VOLTASIS_OTHER_ORG_KEY_ID an API key of that other organization, created by its owner
 *   The guides' account is ada@example.com / "correct horse battery staple" (owner of "Acme
 *   Studio"). getting-started.md registers it; the test registers it itself if no block has yet.
 * - `curl` in a block is a shell function that calls /usr/bin/curl with the same arguments (plus a
 *   10 s time limit), prints the response body as curl would, and notes the status and the body.
 *   The markdown stays plain curl that a reader can paste.
 * - A ```json block that follows a run block, with only prose between them, shows the response of
 *   the block's last curl: its keys (recursively; an array by its first item), the JSON types of its
 *   values and the values of the enum-like fields (code, reason, status, role, …) must match.
 * - Event streams (docs/streaming.md): a curl that follows one sets its own `--max-time N`, and
 *   ending by that limit (curl's exit 28) after a 2xx answer is how it stops reading, not a
 *   failure. Curls may run in the background (`cmd &` … `wait`): the statuses are then declared in
 *   the order the curls finish, and "the last curl" of the json rule is the last to finish that
 *   did not answer text/event-stream.
 *   Every ```json block must parse.
 * - The scope tables of authentication.md are checked against src/platform/auth/scopes.ts and the
 *   OpenAPI document; docs/README.md must link every guide, and every link to a guide or one of
 *   its headings must resolve.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandScope, FINE_SCOPES, roleScopes, type Scope } from "../../src/platform/auth/scopes.js";
import type { Role } from "../../src/platform/db/schema.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

const DOCS_DIR = path.resolve(import.meta.dirname, "../../docs");
// The reading order: getting-started.md registers the account the other guides sign in with.
const FIRST = ["getting-started.md", "authentication.md", "errors.md"];
const BLOCK_TIMEOUT_MS = 30_000;
const CURL_MAX_TIME_S = 10;

const DOCS_ACCOUNT = {
  email: "ada@example.com",
  password: "correct horse battery staple",
  name: "Ada Lovelace",
  organization_name: "Acme Studio",
};
const OTHER_ACCOUNT = {
  email: "grace@example.com",
  password: "correct horse battery staple",
  name: "Grace Hopper",
  organization_name: "Globex",
};

// ---------------------------------------------------------------------------------------------
// Reading the guides

interface Fence {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  heading: string;
  /** From `<!-- expect: … -->` on the line before the fence. */
  expect?: number[];
  /** The ```json block that follows this one with only prose between. */
  response?: Fence;
}

interface Guide {
  file: string;
  text: string;
  fences: Fence[];
}

const EXPECT = /^<!--\s*expect:\s*([\d\s]+?)\s*-->$/;

function parseGuide(file: string): Guide {
  const text = readFileSync(path.join(DOCS_DIR, file), "utf8");
  const lines = text.split("\n");
  const fences: Fence[] = [];
  let heading = "(top)";
  let previous: Fence | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const open = /^```(\S*)\s*$/.exec(line);
    if (!open) {
      if (/^#{1,6}\s/.test(line)) {
        heading = line.replace(/^#+\s*/, "").trim();
        previous = undefined;
      }
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] as string); i++) body.push(lines[i] as string);
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: unclosed code fence`);
    const marker = EXPECT.exec((lines[start - 1] ?? "").trim());
    const fence: Fence = { lang: open[1] ?? "", code: body.join("\n"), line: start + 1, heading };
    if (marker?.[1]) fence.expect = marker[1].trim().split(/\s+/).map(Number);
    if (fence.lang === "json" && previous?.lang === "bash" && !previous.response) previous.response = fence;
    fences.push(fence);
    previous = fence;
  }
  return { file, text, fences };
}

function guideFiles(): string[] {
  const all = readdirSync(DOCS_DIR).filter((f) => f.endsWith(".md"));
  const rank = (f: string) => (FIRST.includes(f) ? FIRST.indexOf(f) : FIRST.length);
  return all.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const guides = guideFiles().map(parseGuide);
const runnable = guides.flatMap((g) =>
  g.fences.filter((f) => f.lang === "bash").map((fence) => ({ file: g.file, fence })),
);

// ---------------------------------------------------------------------------------------------
// Comparing a documented response with the real one

// Fields whose documented value is part of the contract, not an example value.
const CONTRACT_VALUES = new Set([
  "code",
  "reason",
  "required_scope",
  "field",
  "location",
  "token_type",
  "status",
  "role",
  "mode",
  "expires_in",
  "refresh_expires_in",
]);

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** Where the documented JSON and the real one differ in shape; empty when they agree. */
function shapeDiff(documented: unknown, actual: unknown, at = "$"): string[] {
  // null stands for "may be absent" either way round (last_used_at, revoked_at, …).
  if (documented === null || actual === null) return [];
  if (kind(documented) !== kind(actual)) {
    return [`${at}: documented ${kind(documented)}, got ${kind(actual)} ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(documented) && Array.isArray(actual)) {
    return documented.length > 0 && actual.length > 0 ? shapeDiff(documented[0], actual[0], `${at}[0]`) : [];
  }
  if (kind(documented) !== "object") return [];
  const doc = documented as Record<string, unknown>;
  const real = actual as Record<string, unknown>;
  const diffs: string[] = [];
  for (const key of Object.keys(doc)) {
    if (!(key in real)) diffs.push(`${at}.${key}: documented but not in the response`);
  }
  for (const key of Object.keys(real)) {
    if (!(key in doc)) diffs.push(`${at}.${key}: in the response but not documented`);
  }
  for (const key of Object.keys(doc).filter((k) => k in real)) {
    const [d, r] = [doc[key], real[key]];
    if (CONTRACT_VALUES.has(key) && kind(d) !== "object" && kind(d) !== "array" && d !== null && d !== r) {
      diffs.push(`${at}.${key}: documented ${JSON.stringify(d)}, got ${JSON.stringify(r)}`);
    } else {
      diffs.push(...shapeDiff(d, r, `${at}.${key}`));
    }
  }
  return diffs;
}

/** The JSON of a saved response body; a body saved with `curl -i` starts with its headers. */
function responseJson(raw: string): unknown {
  const body = raw.startsWith("HTTP/") ? raw.slice(raw.search(/\r?\n\r?\n/)).trim() : raw.trim();
  return JSON.parse(body);
}

// ---------------------------------------------------------------------------------------------
// Running a block

// Prepended to every block. Same arguments and output as curl; the status, content type and body
// are noted, one line per curl as it finishes ("<status> <content type> <body file>"), so that
// curls run in the background (`&`, as a stream is followed while a change is made) each keep
// their own body.
const CURL_WRAPPER = `
curl() {
  local body err status code=0
  body=$(mktemp "$DOCS_TRACE_DIR/response-XXXXXX")
  err=$(mktemp "$DOCS_TRACE_DIR/stderr-XXXXXX")
  status=$(command curl --silent --show-error --max-time ${CURL_MAX_TIME_S} \\
    --output "$body" --write-out '%{http_code} %{content_type}' "$@" 2> "$err") || code=$?
  echo "\${status%% *} \${status#* } $body" >> "$DOCS_TRACE_DIR/statuses"
  status=\${status%% *}
  cat "$body"
  echo
  # A stream followed with its own --max-time ends by that limit (exit 28) after a 2xx answer:
  # that is how such an example stops reading, not a failure.
  if [ "$code" -eq 28 ] && [ "\${status:0:1}" = "2" ] && [[ " $* " == *" --max-time "* ]]; then
    return 0
  fi
  cat "$err" >&2
  return "$code"
}
`;

interface BlockRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  statuses: number[];
  /** The body of the curl that finished last, event streams aside, if any. */
  lastBody: string | undefined;
}

async function runBlock(code: string, env: Record<string, string>): Promise<BlockRun> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-docs-block-"));
  const trace = path.join(dir, ".trace");
  const work = path.join(dir, "work");
  await fs.mkdir(trace);
  await fs.mkdir(work);
  await fs.writeFile(path.join(trace, "statuses"), "");
  try {
    const { exitCode, signal, output } = await new Promise<{
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      output: string;
    }>((resolve, reject) => {
      const child = spawn("bash", ["-euo", "pipefail", "-c", `${CURL_WRAPPER}\n${code}\n`], {
        cwd: work,
        // Only what a reader's shell would have, and nothing of this process's environment.
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: work,
          LANG: "C.UTF-8",
          DOCS_TRACE_DIR: trace,
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: BLOCK_TIMEOUT_MS,
      });
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
      });
      child.stderr.on("data", (chunk) => {
        out += chunk;
      });
      child.on("error", reject);
      child.on("close", (exit, sig) => resolve({ exitCode: exit, signal: sig, output: out }));
    });
    const finished = (await fs.readFile(path.join(trace, "statuses"), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [status, ...rest] = line.split(" ");
        return { status: Number(status), file: rest.pop() as string, type: rest.join(" ") };
      });
    const statuses = finished.map(({ status }) => status);
    // An event stream is no JSON to compare; the response shown after such a block is another's.
    const last = finished.filter(({ type }) => !type.startsWith("text/event-stream")).pop();
    const lastBody = last ? await fs.readFile(last.file, "utf8") : undefined;
    return { exitCode, signal, output, statuses, lastBody };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Arranging the account, keys and tokens through the HTTP API

let server: ServerProcess;
let dataDir: string;

async function api(
  method: string,
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; json: { data?: Record<string, unknown>; error?: unknown } }> {
  const res = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

async function must(status: number, call: ReturnType<typeof api>): Promise<Record<string, unknown>> {
  const res = await call;
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json.data ?? {};
}

async function login(account: { email: string; password: string }) {
  const data = await must(
    200,
    api("POST", "/v1/auth/login", { body: { email: account.email, password: account.password } }),
  );
  return { accessToken: String(data.access_token), refreshToken: String(data.refresh_token) };
}

interface World {
  apiKey: string;
  otherOrgId: string;
  otherOrgKeyId: string;
}
let world: World | undefined;

/** The guides' account with an admin key, and a second organization where it is a member. */
async function ensureWorld(): Promise<World> {
  if (world) return world;
  const attempt = await api("POST", "/v1/auth/login", {
    body: { email: DOCS_ACCOUNT.email, password: DOCS_ACCOUNT.password },
  });
  const token =
    attempt.status === 200
      ? String(attempt.json.data?.access_token)
      : String((await must(201, api("POST", "/v1/auth/register", { body: DOCS_ACCOUNT }))).access_token);
  const key = await must(
    201,
    api("POST", "/v1/api-keys", { token, body: { name: "Docs examples", scopes: ["admin"] } }),
  );
  const other = await must(201, api("POST", "/v1/auth/register", { body: OTHER_ACCOUNT }));
  const otherToken = String(other.access_token);
  // Members are invited, never taken (SPEC §3): the guides' account accepts while signed in.
  const invitation = await must(
    201,
    api("POST", "/v1/users", { token: otherToken, body: { email: DOCS_ACCOUNT.email, role: "member" } }),
  );
  await must(
    201,
    api("POST", "/v1/invitations/accept", { token, body: { token: String(invitation.token) } }),
  );
  const otherKey = await must(
    201,
    api("POST", "/v1/api-keys", { token: otherToken, body: { name: "Globex reporting", scopes: ["read"] } }),
  );
  world = {
    apiKey: String(key.secret),
    otherOrgId: String((other.organization as { id: string }).id),
    otherOrgKeyId: String(otherKey.id),
  };
  return world;
}

const mentions = (code: string, name: string) => new RegExp(`\\$\\{?${name}\\b`).test(code);

/**
 * The variables of the convention above. The account is arranged only before the first block that
 * needs it (one that uses a credential variable or logs in), so that getting-started.md's
 * registration can be the one that creates it; tokens and the spare key are made per block.
 */
async function blockEnv(code: string): Promise<Record<string, string>> {
  const env: Record<string, string> = { VOLTASIS_URL: server.baseUrl };
  if (!/\$\{?VOLTASIS_(?!URL\b)/.test(code) && !/\/v1\/auth\/login\b/.test(code)) return env;
  const w = await ensureWorld();
  Object.assign(env, {
    VOLTASIS_API_KEY: w.apiKey,
    VOLTASIS_OTHER_ORG_ID: w.otherOrgId,
    VOLTASIS_OTHER_ORG_KEY_ID: w.otherOrgKeyId,
  });
  if (mentions(code, "VOLTASIS_ACCESS_TOKEN") || mentions(code, "VOLTASIS_REFRESH_TOKEN")) {
    const tokens = await login(DOCS_ACCOUNT);
    env.VOLTASIS_ACCESS_TOKEN = tokens.accessToken;
    env.VOLTASIS_REFRESH_TOKEN = tokens.refreshToken;
  }
  if (mentions(code, "VOLTASIS_KEY_ID")) {
    const spare = await must(
      201,
      api("POST", "/v1/api-keys", { token: w.apiKey, body: { name: "Spare key", scopes: ["read:users"] } }),
    );
    env.VOLTASIS_KEY_ID = String(spare.id);
  }
  return env;
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "voltasis-docs-"));
  await fs.chmod(dataDir, 0o755);
  // Every guide's logins come from one IP within a minute or two: more than a person's 100/min.
  server = await startServer({
    VOLTASIS_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    VOLTASIS_UNAUTHENTICATED_LIMIT: "1000",
  });
});

afterAll(async () => {
  if (server) {
    server.child.kill("SIGTERM");
    await server.exited;
  }
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe("docs/ follows the convention", () => {
  it("there are guides with runnable examples", () => {
    expect(guides.map((g) => g.file)).toEqual(expect.arrayContaining(["README.md", ...FIRST]));
    expect(runnable.length).toBeGreaterThan(10);
  });

  it.each(guides.map((g) => [g.file, g] as const))(
    "%s: every bash block declares its statuses",
    (_, guide) => {
      const undeclared = guide.fences.filter((f) => f.lang === "bash" && !f.expect);
      expect(undeclared.map((f) => `${guide.file}:${f.line}`)).toEqual([]);
      const lines = guide.text.split("\n");
      const dangling = lines
        .map((line, i) => ({ line, i }))
        .filter(({ line, i }) => EXPECT.test(line.trim()) && !/^```bash\s*$/.test(lines[i + 1] ?? ""));
      expect(dangling.map(({ i }) => `${guide.file}:${i + 1}`)).toEqual([]);
    },
  );

  it.each(guides.map((g) => [g.file, g] as const))("%s: every json block parses", (_, guide) => {
    for (const fence of guide.fences.filter((f) => f.lang === "json")) {
      expect(() => JSON.parse(fence.code), `${guide.file}:${fence.line}`).not.toThrow();
    }
  });

  it("README.md links every guide, and every link points at a file", () => {
    const readme = guides.find((g) => g.file === "README.md")?.text ?? "";
    const links = [...readme.matchAll(/\]\(\.?\/?([\w-]+\.md)(#[\w-]*)?\)/g)].map((m) => m[1]);
    for (const guide of guides.filter((g) => g.file !== "README.md")) expect(links).toContain(guide.file);
    for (const link of links) expect(guides.map((g) => g.file)).toContain(link);
  });
});

// GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

describe("links between the guides", () => {
  it.each(guides.map((g) => [g.file, g] as const))(
    "%s: every link to a guide or a heading resolves",
    (_, guide) => {
      const broken: string[] = [];
      for (const [, file, anchor] of guide.text.matchAll(/\]\((?:\.\/)?([\w-]+\.md)?(?:#([\w-]+))?\)/g)) {
        const target = guides.find((g) => g.file === (file ?? guide.file));
        const headings = (target?.text.match(/^#{1,6}\s.*$/gm) ?? []).map((h) =>
          slug(h.replace(/^#+\s*/, "")),
        );
        if (!target || (anchor && !headings.includes(anchor))) broken.push(`${file ?? ""}#${anchor ?? ""}`);
      }
      expect(broken).toEqual([]);
    },
  );
});

describe("the examples in docs/ run against the real server", () => {
  it.each(
    runnable.map(
      ({ file, fence }) => [`${file} › ${fence.heading} (line ${fence.line})`, file, fence] as const,
    ),
  )(
    "%s",
    async (_, file, fence) => {
      const env = await blockEnv(fence.code);
      const run = await runBlock(fence.code, env);
      const where = `${file}:${fence.line}\n--- output ---\n${run.output}`;
      expect(run.signal, `timed out after ${BLOCK_TIMEOUT_MS} ms: ${where}`).toBeNull();
      expect(run.exitCode, `bash exited with ${run.exitCode}: ${where}`).toBe(0);
      expect(run.statuses, `HTTP statuses of the block's curls: ${where}`).toEqual(fence.expect);
      if (fence.response) {
        expect(run.lastBody, where).toBeDefined();
        const documented = JSON.parse(fence.response.code);
        const diffs = shapeDiff(documented, responseJson(run.lastBody ?? ""));
        expect(diffs, `the json block at line ${fence.response.line} vs the real response: ${where}`).toEqual(
          [],
        );
      }
    },
    BLOCK_TIMEOUT_MS + 15_000,
  );
});

// ---------------------------------------------------------------------------------------------
// The scope tables of authentication.md

const auth = guides.find((g) => g.file === "authentication.md");

/** Rows of the first markdown table whose header row starts with `| <first> |`. */
function table(text: string, first: string): { header: string[]; rows: string[][] } {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^\\|\\s*${first}\\s*\\|`).test(l));
  if (start < 0) throw new Error(`no table starting with "| ${first} |"`);
  const cells = (l: string) =>
    l
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((c) => c.trim());
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]?.trim().startsWith("|"); i++)
    rows.push(cells(lines[i] as string));
  return { header: cells(lines[start] as string), rows };
}
// How the endpoint table words the two declarations that are not scopes (plugin.ts's `Access`).
const WORDED_ACCESS: Record<string, string> = { none: "none", "any credential": "authenticated" };
const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

describe("authentication.md's scope tables match the code", () => {
  it("the coarse scopes expand as documented", () => {
    const { rows } = table(auth?.text ?? "", "coarse scope");
    expect(rows.map((r) => ticked(r[0] ?? "")[0])).toEqual(["read", "write", "delete", "admin"]);
    for (const [name, grants] of rows) {
      const scope = ticked(name ?? "")[0] as Scope;
      // `read` and `admin` are described in words ("every `read:` scope"); the others must list theirs.
      if (scope === "read" || scope === "admin") continue;
      const listed = ticked(grants ?? "").filter((s) => (FINE_SCOPES as readonly string[]).includes(s));
      expect(listed.sort(), scope).toEqual(expandScope(scope).sort());
    }
  });

  it("the role ceilings are those of scopes.ts, for every resource", () => {
    const { header, rows } = table(auth?.text ?? "", "resource");
    const roles = header.slice(1).map((h) => ticked(h)[0] as Role);
    expect([...roles].sort()).toEqual(["admin", "manager", "member", "owner"]);
    const documented = new Set<string>();
    for (const row of rows) {
      for (const resource of ticked(row[0] ?? "")) {
        roles.forEach((role, i) => {
          const actions = (row[i + 1] ?? "").replace(/\(.*?\)/g, "").match(/\b(read|write|delete)\b/g) ?? [];
          for (const action of actions) documented.add(`${role} ${action}:${resource}`);
        });
      }
    }
    const actual = roles.flatMap((role) => roleScopes(role).map((s) => `${role} ${s}`));
    expect([...documented].sort()).toEqual(actual.sort());
    const resources = new Set(FINE_SCOPES.map((s) => s.split(":")[1]));
    const listed = new Set(rows.flatMap((r) => ticked(r[0] ?? "")));
    expect([...listed].sort()).toEqual([...resources].sort());
  });

  it("the endpoint table names the scope each route declares in the OpenAPI document", async () => {
    const doc = (await (await fetch(`${server.baseUrl}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { "x-required-scope"?: string }>>;
    };
    const { rows } = table(auth?.text ?? "", "endpoint");
    expect(rows.length).toBeGreaterThan(5);
    for (const [endpoint, scope] of rows) {
      const [method, route] = (ticked(endpoint ?? "")[0] ?? "").split(" ") as [string, string];
      const operation = doc.paths[route]?.[method.toLowerCase()];
      expect(operation, `${method} ${route} is not in the OpenAPI document`).toBeDefined();
      const declared = operation?.["x-required-scope"] ?? "none";
      const written = ticked(scope ?? "")[0] ?? WORDED_ACCESS[scope?.trim() ?? ""] ?? scope;
      expect(written, `${method} ${route}`).toBe(declared);
    }
  });
});
