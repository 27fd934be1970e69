import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  /** The request's path: tests give each webhook its own to tell their deliveries apart. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The body parsed: `{id, event, timestamp, organization_id, data}`. */
  json: {
    id: string;
    event: string;
    timestamp: string;
    organization_id: string;
    data: Record<string, unknown>;
  };
}

export type Responder = (request: ReceivedRequest) => { status: number; body?: string } | "hang";

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Changes how later requests are answered. */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

/** A webhook endpoint on 127.0.0.1 that records every request it gets. */
export async function startReceiver(
  responder: Responder = () => ({ status: 200, body: "ok" }),
): Promise<Receiver> {
  let answer = responder;
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(", ") : String(value),
        ]),
      );
      const request = { path: req.url ?? "", headers, body, json: JSON.parse(body) };
      requests.push(request);
      const reply = answer(request);
      if (reply === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(reply.status, { "content-type": "text/plain" }).end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    respond(next) {
      answer = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
