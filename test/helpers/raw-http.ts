import net from "node:net";

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the client does after sending: wait for the answer, half-close its side, or hang up. */
export type AfterSending = "wait" | "half-close" | "close";

// A bound on waiting for an answer that may never come (not an assertion on speed).
const GIVE_UP_MS = 10_000;

/**
 * Sends raw bytes over a new TCP connection, exactly as given (no HTTP client would send these),
 * and reads one answer: null when the server closed the connection without one.
 */
export function rawExchange(
  port: number,
  data: string,
  after: AfterSending = "wait",
): Promise<RawAnswer | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(Buffer.concat(chunks).toString("utf8")));
    };
    const timer = setTimeout(finish, GIVE_UP_MS);
    socket.on("connect", () => {
      socket.write(data);
      if (after === "half-close") socket.end();
      if (after === "close") socket.destroy();
    });
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      if (parse(Buffer.concat(chunks).toString("utf8"))) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
  });
}

/** One complete HTTP/1.1 response with a Content-Length (after any 1xx), or null. */
function parse(text: string): RawAnswer | null {
  const headEnd = text.indexOf("\r\n\r\n");
  if (headEnd === -1) return null;
  if (/^HTTP\/1\.[01] 1\d\d/.test(text)) return parse(text.slice(headEnd + 4));
  const [statusLine = "", ...lines] = text.slice(0, headEnd).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return null;
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const body = Buffer.from(text.slice(headEnd + 4), "utf8");
  const length = Number(headers["content-length"] ?? 0);
  if (body.length < length) return null;
  return { status, headers, body: body.subarray(0, length).toString("utf8") };
}

/** The answer in the shape `expectError` (fixtures.ts) checks. */
export function asResponse(answer: RawAnswer | null) {
  if (!answer) throw new Error("the server closed the connection without an answer");
  return { statusCode: answer.status, headers: answer.headers, json: () => JSON.parse(answer.body) };
}
