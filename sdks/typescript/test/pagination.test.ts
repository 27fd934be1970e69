import { describe, expect, it } from "vitest";
import { Voltasis } from "../src/index.js";
import { ok, type RecordedRequest, stubFetch } from "./stub-fetch.js";

/**
 * A list of `total` items served as the API serves it: by limit/offset, page/per_page or the
 * cursor starting_after, with the pagination block of SPEC §5.
 */
function listServer(total: number) {
  const items = Array.from({ length: total }, (_, i) => ({ id: `te_${String(i).padStart(3, "0")}` }));
  return stubFetch((request: RecordedRequest) => {
    const q = request.url.searchParams;
    const limit = Number(q.get("per_page") ?? q.get("limit") ?? 20);
    const after = q.get("starting_after");
    const offset = after
      ? items.findIndex((item) => item.id === after) + 1
      : q.has("page")
        ? (Number(q.get("page")) - 1) * limit
        : Number(q.get("offset") ?? 0);
    const data = items.slice(offset, offset + limit);
    const hasMore = offset + limit < total;
    return ok(data, {
      pagination: {
        total,
        limit,
        offset: after ? 0 : offset,
        has_more: hasMore,
        page: Math.floor(offset / limit) + 1,
        per_page: limit,
        total_pages: Math.ceil(total / limit),
        has_next: hasMore,
        has_previous: offset > 0,
      },
    });
  });
}

const queries = (requests: RecordedRequest[]) => requests.map((r) => r.url.search);

describe("lists", () => {
  it("iterate every item lazily, by cursor where the list has one", async () => {
    const server = listServer(5);
    const client = new Voltasis({ apiKey: "k", baseURL: "http://api.test", fetch: server.fetch });
    const list = client.timeEntries.list({ per_page: 2 });
    expect(server.requests).toHaveLength(0);

    const seen: string[] = [];
    for await (const entry of list) {
      seen.push(entry.id);
      // Each page is fetched only when the iteration reaches it.
      expect(server.requests).toHaveLength(Math.ceil(seen.length / 2));
    }
    expect(seen).toEqual(["te_000", "te_001", "te_002", "te_003", "te_004"]);
    expect(queries(server.requests)).toEqual([
      "?per_page=2",
      "?per_page=2&starting_after=te_001",
      "?per_page=2&starting_after=te_003",
    ]);
  });

  it("page by number, or by offset, in the style the caller started with", async () => {
    const byPage = listServer(5);
    const client = new Voltasis({ apiKey: "k", baseURL: "http://api.test", fetch: byPage.fetch });
    const all: string[] = [];
    for await (const project of client.projects.list({ per_page: 2, status: "active" })) all.push(project.id);
    expect(all).toHaveLength(5);
    expect(queries(byPage.requests)).toEqual([
      "?per_page=2&status=active",
      "?per_page=2&status=active&page=2",
      "?per_page=2&status=active&page=3",
    ]);

    const byOffset = listServer(5);
    const other = new Voltasis({ apiKey: "k", baseURL: "http://api.test", fetch: byOffset.fetch });
    let count = 0;
    for await (const _ of other.projects.list({ limit: 3, offset: 1 })) count += 1;
    expect(count).toBe(4);
    expect(queries(byOffset.requests)).toEqual(["?limit=3&offset=1", "?limit=3&offset=4"]);
  });

  it("a cursor list sorted by the caller pages by offset (the cursor follows the default sort)", async () => {
    const server = listServer(3);
    const client = new Voltasis({ apiKey: "k", baseURL: "http://api.test", fetch: server.fetch });
    let count = 0;
    for await (const _ of client.timeEntries.list({ limit: 2, sort: "duration" })) count += 1;
    expect(count).toBe(3);
    expect(queries(server.requests)).toEqual(["?limit=2&sort=duration", "?limit=2&sort=duration&offset=2"]);
  });

  it("awaiting a list gives its first page, which walks on page by page", async () => {
    const server = listServer(3);
    const client = new Voltasis({ apiKey: "k", baseURL: "http://api.test", fetch: server.fetch });

    const first = await client.tags.list({ limit: 2 });
    expect(first.data.map((t) => t.id)).toEqual(["te_000", "te_001"]);
    expect(first.pagination).toMatchObject({ total: 3, has_more: true });
    expect(first.requestId).toMatch(/^req_/);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    expect(second.data.map((t) => t.id)).toEqual(["te_002"]);
    expect(second.hasNextPage()).toBe(false);
    await expect(second.getNextPage()).rejects.toThrow("No next page");

    const pages: number[] = [];
    for await (const page of client.tags.list({ limit: 2 }).iterPages()) pages.push(page.data.length);
    expect(pages).toEqual([2, 1]);
  });

  it("stopping an iteration early fetches no further page", async () => {
    const server = listServer(10);
    const client = new Voltasis({ apiKey: "k", baseURL: "http://api.test", fetch: server.fetch });
    for await (const entry of client.timeEntries.list({ limit: 3 })) {
      if (entry.id === "te_001") break;
    }
    expect(server.requests).toHaveLength(1);
  });

  it("an empty list yields nothing after one request", async () => {
    const server = listServer(0);
    const client = new Voltasis({ apiKey: "k", baseURL: "http://api.test", fetch: server.fetch });
    let count = 0;
    for await (const _ of client.clients.list()) count += 1;
    expect(count).toBe(0);
    expect(server.requests).toHaveLength(1);
  });
});
