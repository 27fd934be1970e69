import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkWebhookUrl, forbiddenAddressReason, type Resolver } from "./address-policy.js";
import { createWebhookSender, type WebhookSender } from "./sender.js";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

interface Receiver {
  server: Server;
  port: number;
  url: string;
  received: Received[];
  connections: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, receiver: Receiver) => void;

const receivers: Receiver[] = [];
let handler: Handler = (_req, res) => res.end("ok");

async function startReceiver(): Promise<Receiver> {
  const server = createServer();
  const receiver: Receiver = { server, port: 0, url: "", received: [], connections: 0 };
  server.on("connection", () => {
    receiver.connections++;
  });
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      receiver.received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, res, receiver);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  receivers.push(receiver);
  return receiver;
}

let receiver: Receiver;
const senders: WebhookSender[] = [];

function sender(options: Parameters<typeof createWebhookSender>[0]): WebhookSender {
  const created = createWebhookSender(options);
  senders.push(created);
  return created;
}

const payload = JSON.stringify({ id: "evt_01", event: "project.created", data: { name: "Apollo" } });
const send = (s: WebhookSender, url: string) =>
  s.send({ url, body: payload, headers: { "webhook-id": "evt_01", "X-Signature": "abc123" } });

// Maps test host names to addresses without touching real DNS.
const fakeResolver =
  (table: Record<string, string>): Resolver =>
  async (hostname) => {
    const address = table[hostname];
    if (address === undefined)
      throw Object.assign(new Error(`not found: ${hostname}`), { code: "ENOTFOUND" });
    return [{ address, family: address.includes(":") ? 6 : 4 }];
  };

// The receivers listen on 127.0.0.1, which the real policy forbids. Tests that exercise the
// policy after a first allowed hop treat exactly that address as "public" and keep every other
// rule, so the forbidden second hop is judged by the production policy.
const receiverIsPublic = (ip: string) => (ip === "127.0.0.1" ? null : forbiddenAddressReason(ip));

beforeAll(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  handler = (_req, res) => res.end("ok");
  receiver.received.length = 0;
  receiver.connections = 0;
  await Promise.all(senders.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  for (const r of receivers) {
    r.server.closeAllConnections();
    await new Promise((resolve) => r.server.close(resolve));
  }
});

describe("webhook sender: responses", () => {
  it("POSTs the exact body with JSON content type, user agent and the given headers; 2xx is ok", async () => {
    handler = (_req, res) => res.writeHead(202).end("accepted");
    const result = await send(sender({ allowPrivate: true }), `${receiver.url}/hook?x=1`);
    expect(result).toEqual({
      ok: true,
      statusCode: 202,
      durationMs: expect.any(Number),
      error: null,
      responseExcerpt: "accepted",
    });
    expect(Number.isInteger(result.durationMs)).toBe(true);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/hook?x=1");
    expect(request?.body).toBe(payload);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["user-agent"]).toBe("Voltasis-Webhooks/1.0");
    expect(request?.headers["webhook-id"]).toBe("evt_01");
    expect(request?.headers["x-signature"]).toBe("abc123");
    expect(request?.headers["content-length"]).toBe(String(Buffer.byteLength(payload)));
  });

  it("sends a non-ASCII body byte for byte", async () => {
    const body = JSON.stringify({ name: "Café ☕ 東京" });
    const result = await sender({ allowPrivate: true }).send({ url: receiver.url, body, headers: {} });
    expect(result.ok).toBe(true);
    expect(receiver.received[0]?.body).toBe(body);
  });

  it("reports a 500 as not ok with the response excerpt", async () => {
    handler = (_req, res) => res.writeHead(500).end("database on fire");
    const result = await send(sender({ allowPrivate: true }), receiver.url);
    expect(result).toMatchObject({
      ok: false,
      statusCode: 500,
      error: null,
      responseExcerpt: "database on fire",
    });
  });

  it("treats a 3xx without Location and a 4xx as not ok", async () => {
    handler = (_req, res) => res.writeHead(304).end();
    expect(await send(sender({ allowPrivate: true }), receiver.url)).toMatchObject({
      ok: false,
      statusCode: 304,
    });
    handler = (_req, res) => res.writeHead(410).end("gone");
    expect(await send(sender({ allowPrivate: true }), receiver.url)).toMatchObject({
      ok: false,
      statusCode: 410,
      responseExcerpt: "gone",
    });
  });

  it("keeps only the first 1,024 characters of a long response", async () => {
    handler = (_req, res) => res.end("é".repeat(5000));
    const result = await send(sender({ allowPrivate: true }), receiver.url);
    expect(result.ok).toBe(true);
    expect(result.responseExcerpt).toBe("é".repeat(1024));
  });

  it("stops reading a huge response and still succeeds", async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      // 4 MB that the sender must not buffer; write until it hangs up.
      const chunk = "x".repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once("drain", pump);
        else res.end();
      };
      res.on("error", () => {});
      pump();
    };
    const result = await send(sender({ allowPrivate: true }), receiver.url);
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(result.responseExcerpt).toHaveLength(1024);
  });

  it("times out a receiver that never answers", async () => {
    handler = () => {};
    const result = await send(sender({ allowPrivate: true, timeoutMs: 200 }), receiver.url);
    expect(result).toMatchObject({
      ok: false,
      statusCode: null,
      error: "timeout after 0.2 s",
      responseExcerpt: null,
    });
    expect(receiver.received).toHaveLength(1);
  });

  it("times out a receiver that sends headers but never finishes the body", async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write("partial");
    };
    const result = await send(sender({ allowPrivate: true, timeoutMs: 200 }), receiver.url);
    expect(result).toMatchObject({ ok: false, statusCode: 200, error: "timeout after 0.2 s" });
  });

  it("reports a refused connection without throwing", async () => {
    const closed = await startReceiver();
    await new Promise((resolve) => closed.server.close(resolve));
    const result = await send(sender({ allowPrivate: true }), closed.url);
    expect(result).toMatchObject({ ok: false, statusCode: null, responseExcerpt: null });
    expect(result.error).toMatch(/connection refused.*ECONNREFUSED/);
  });

  it("reports an unresolvable host and a bad URL without throwing", async () => {
    const s = sender({ allowPrivate: true, resolve: fakeResolver({}) });
    expect((await send(s, "http://nowhere.test/")).error).toMatch(/ENOTFOUND/);
    expect((await send(s, "not a url")).error).toMatch(/invalid URL/);
    expect((await send(s, "ftp://example.com/")).error).toMatch(/ftp: URLs are not allowed/);
  });
});

describe("webhook sender: redirects", () => {
  it("follows 301, 302, 303, 307 and 308, re-POSTing the same body and headers", async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      receiver.received.length = 0;
      handler = (req, res) => {
        if (req.url === "/start") res.writeHead(status, { Location: "/middle" }).end();
        else if (req.url === "/middle") res.writeHead(status, { Location: `${receiver.url}/final` }).end();
        else res.end("final");
      };
      const result = await send(sender({ allowPrivate: true }), `${receiver.url}/start`);
      expect(result).toMatchObject({ ok: true, statusCode: 200, responseExcerpt: "final" });
      expect(receiver.received.map((r) => r.url)).toEqual(["/start", "/middle", "/final"]);
      for (const request of receiver.received) {
        expect(request.method).toBe("POST");
        expect(request.body).toBe(payload);
        expect(request.headers["x-signature"]).toBe("abc123");
      }
    }
  });

  it("stops a redirect loop after maxRedirects", async () => {
    handler = (_req, res) => res.writeHead(302, { Location: "/again" }).end();
    const result = await send(sender({ allowPrivate: true }), `${receiver.url}/again`);
    expect(result).toMatchObject({ ok: false, statusCode: 302, error: "too many redirects (more than 3)" });
    expect(receiver.received).toHaveLength(4);

    receiver.received.length = 0;
    const none = await send(sender({ allowPrivate: true, maxRedirects: 0 }), `${receiver.url}/again`);
    expect(none.error).toBe("too many redirects (more than 0)");
    expect(receiver.received).toHaveLength(1);
  });

  it("refuses a redirect to another scheme", async () => {
    handler = (_req, res) => res.writeHead(302, { Location: "file:///etc/passwd" }).end();
    const result = await send(sender({ allowPrivate: true }), receiver.url);
    expect(result).toMatchObject({ ok: false, error: "refused: file: URLs are not allowed" });
  });
});

describe("webhook sender: SSRF guard", () => {
  it("refuses literal loopback addresses without connecting when private addresses are not allowed", async () => {
    const s = sender({ allowPrivate: false });
    const v4 = await send(s, `${receiver.url}/hook`);
    expect(v4).toMatchObject({
      ok: false,
      statusCode: null,
      error: "refused: 127.0.0.1 is a loopback address",
    });
    const v6 = await send(s, `http://[::1]:${receiver.port}/hook`);
    expect(v6).toMatchObject({ ok: false, error: "refused: ::1 is a loopback address" });
    const mapped = await send(s, `http://[::ffff:127.0.0.1]:${receiver.port}/hook`);
    expect(mapped.error).toMatch(/loopback/);
    const decimal = await send(s, `http://2130706433:${receiver.port}/hook`);
    expect(decimal.error).toBe("refused: 127.0.0.1 is a loopback address");
    expect(await send(s, `http://169.254.169.254/latest/meta-data/`)).toMatchObject({
      ok: false,
      error: "refused: 169.254.169.254 is a cloud metadata address",
    });
    expect(receiver.connections).toBe(0);
    expect(receiver.received).toHaveLength(0);
  });

  it("checks the address at connect time, so a name rebound to 127.0.0.1 is refused", async () => {
    // The name looked public when the webhook was created and resolves to loopback when dialled.
    let calls = 0;
    const rebinding: Resolver = async () => {
      calls++;
      return [calls === 1 ? { address: "93.184.215.14", family: 4 } : { address: "127.0.0.1", family: 4 }];
    };
    const url = `http://hooks.example.test:${receiver.port}/hook`;
    expect(await checkWebhookUrl(url, { allowPrivate: false, resolve: rebinding })).toEqual({ ok: true });
    const result = await send(sender({ allowPrivate: false, resolve: rebinding }), url);
    expect(result).toMatchObject({
      ok: false,
      statusCode: null,
      error: "refused: hooks.example.test resolves to 127.0.0.1, a loopback address",
    });
    expect(calls).toBe(2);
    expect(receiver.connections).toBe(0);
  });

  it("refuses a name when any of its addresses is forbidden", async () => {
    const mixed: Resolver = async () => [
      { address: "127.0.0.1", family: 4 },
      { address: "10.1.2.3", family: 4 },
    ];
    const s = sender({ allowPrivate: false, resolve: mixed, policy: receiverIsPublic });
    const result = await send(s, `http://mixed.test:${receiver.port}/`);
    expect(result.error).toBe("refused: mixed.test resolves to 10.1.2.3, a private address");
    expect(receiver.connections).toBe(0);
  });

  it("connects through the resolver when private addresses are allowed", async () => {
    const s = sender({ allowPrivate: true, resolve: fakeResolver({ "hooks.example.test": "127.0.0.1" }) });
    const result = await send(s, `http://hooks.example.test:${receiver.port}/hook`);
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(receiver.received[0]?.headers.host).toBe(`hooks.example.test:${receiver.port}`);
  });

  it("refuses a redirect from an allowed first hop to a forbidden address", async () => {
    const resolve = fakeResolver({
      "receiver.test": "127.0.0.1",
      "internal.test": "10.0.0.1",
      "metadata.test": "169.254.169.254",
      "ula.test": "fd12:3456::1",
    });
    const s = sender({ allowPrivate: false, resolve, policy: receiverIsPublic });
    const cases: Array<[string, string]> = [
      [`http://[::1]:${receiver.port}/`, "refused: ::1 is a loopback address"],
      ["http://10.0.0.1/", "refused: 10.0.0.1 is a private address"],
      ["http://internal.test/", "refused: internal.test resolves to 10.0.0.1, a private address"],
      [
        "http://metadata.test/latest/meta-data/",
        "refused: metadata.test resolves to 169.254.169.254, a cloud metadata address",
      ],
      ["http://ula.test/", "refused: ula.test resolves to fd12:3456::1, a private address"],
    ];
    for (const [location, error] of cases) {
      receiver.received.length = 0;
      handler = (_req, res) => res.writeHead(307, { Location: location }).end();
      for (const start of [`${receiver.url}/start`, `http://receiver.test:${receiver.port}/start`]) {
        const result = await send(s, start);
        expect(result).toMatchObject({ ok: false, statusCode: null, error, responseExcerpt: null });
      }
      expect(receiver.received.map((r) => r.url)).toEqual(["/start", "/start"]);
    }
  });
});

describe("webhook sender: connection reuse", () => {
  it("reuses keep-alive connections for sequential deliveries", async () => {
    const s = sender({ allowPrivate: true });
    for (let i = 0; i < 200; i++) {
      const result = await send(s, receiver.url);
      expect(result.ok).toBe(true);
    }
    expect(receiver.received).toHaveLength(200);
    expect(receiver.connections).toBeLessThanOrEqual(2);
  });

  it("caps concurrent connections to one receiver at 64", async () => {
    const s = sender({ allowPrivate: true });
    const results = await Promise.all(Array.from({ length: 300 }, () => send(s, receiver.url)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(receiver.connections).toBeLessThanOrEqual(64);
  });
});
