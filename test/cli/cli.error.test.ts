/**
 * How the binary fails: an API error is one line on stderr with the API's message, code and
 * request id, and exit 1; a usage error exits 2; stdout stays empty either way.
 */
import { describe, expect, it, vi } from "vitest";
import { cliSuite, newAccount, newHome, voltasis } from "./harness.js";

const t = cliSuite({ homeFor: "file", login: true });
const run = (args: string[]) => voltasis(t.home, args);

/** The organization's request log's entry of a request id (written within about a second). */
async function loggedRequest(requestId: string) {
  return vi.waitFor(async () => {
    const page = await t.ada.client.logs.list({ kind: "request", status: 404, per_page: 100 });
    const entry = page.data.find((e) => e.request_id === requestId);
    if (!entry) throw new Error(`${requestId} is not in the request log yet`);
    return entry;
  });
}

describe("API errors exit 1 with the API's message, code and request id", () => {
  it("404: no such project", async () => {
    const missing = "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
    const result = await run(["projects", "get", missing]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const match = /^Error: No project with id (\S+) \(NOT_FOUND, (req_\w+)\)\n$/.exec(result.stderr);
    expect(match?.[1], result.stderr).toBe(missing);
    expect(await loggedRequest(match?.[2] ?? "")).toMatchObject({
      status: 404,
      path: `/v1/projects/${missing}`,
    });
  });

  it("403: another organization's project", async () => {
    const grace = await newAccount(t.server.baseUrl, "grace");
    const theirs = await grace.client.projects.create({ name: "Not Ada's" });
    const result = await run(["projects", "get", theirs.id, "--json"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^Error: .*\(FORBIDDEN, req_\w+\)\n$/);
    expect(result.stderr).not.toContain("Not Ada's");
  });

  it("400: the API's validation message", async () => {
    const result = await run(["projects", "create", "Bad colour", "--color", "blue"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: color .*\(VALIDATION_ERROR, req_\w+\)\n$/);
  });

  it("409: a second timer", async () => {
    expect((await run(["timer", "start", "first"])).code).toBe(0);
    const second = await run(["timer", "start", "second"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^Error: This user already has a running timer.*\(CONFLICT, req_\w+\)\n$/);
    expect((await run(["timer", "stop"])).code).toBe(0);
    const none = await run(["timer", "stop"]);
    expect(none).toMatchObject({ code: 1, stdout: "" });
    expect(none.stderr).toContain("Error: No timer is running\n");
  });

  it("no server: a connection error naming the server, exit 1", async () => {
    const result = await run(["--base-url", "http://127.0.0.1:9", "projects", "list"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error: Connection error to http://127.0.0.1:9 (CONNECTION_ERROR)");
  });

  it("not logged in: exit 1 and how to log in", async () => {
    const empty = newHome();
    try {
      const result = await voltasis(empty, ["projects", "list"], {
        env: { VOLTASIS_BASE_URL: t.server.baseUrl },
      });
      expect(result).toMatchObject({ code: 1, stdout: "" });
      expect(result.stderr).toBe(
        'Error: Not logged in (profile "default")\nRun `voltasis login`, or set VOLTASIS_API_KEY.\n',
      );
    } finally {
      empty.remove();
    }
  });
});

describe("usage errors exit 2", () => {
  it.each([
    ["an unknown command", ["projcts", "list"], "unknown command 'projcts'"],
    ["a missing argument", ["projects", "get"], "missing required argument 'id'"],
    ["a missing required option", ["keys", "create", "--name", "x"], "required option '--scope <scope>'"],
    ["a value that is not a number", ["entries", "list", "--limit", "ten"], "Not a positive integer."],
    [
      "a value outside the choices",
      ["projects", "list", "--status", "gone"],
      "Allowed choices are active, archived",
    ],
    ["options that conflict", ["login", "--api-key", "k", "--email", "a@b.c"], "cannot be used with option"],
    ["--json without a file for the export", ["export", "--json"], "give --output for the file"],
    ["a password to ask for without a terminal", ["login", "--email", "a@b.c"], "not a terminal"],
    ["no command at all", [], "Usage: voltasis"],
  ])("%s", async (_, args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
  });

  it("--help and --version exit 0", async () => {
    const help = await run(["projects", "create", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: voltasis projects create [options] <name>");
    expect((await run(["--version"])).stdout).toBe("0.1.0\n");
  });
});
