import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import {
  type AddressPolicy,
  describeForbiddenAddress,
  forbiddenAddressReason,
  type Resolver,
  systemResolver,
  urlHost,
} from "./address-policy.js";

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
}

export interface WebhookSender {
  send(request: { url: string; body: string; headers: Record<string, string> }): Promise<SendResult>;
  close(): Promise<void>;
}

const EXCERPT_CHARS = 1024;
// Bodies up to this size are read to the end so the keep-alive socket can be reused; past it the
// socket is destroyed rather than spend bandwidth on a response nobody will read.
const MAX_READ_BYTES = 64 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const FORBIDDEN_CODE = "ERR_WEBHOOK_FORBIDDEN_ADDRESS";

class ForbiddenAddressError extends Error {
  readonly code = FORBIDDEN_CODE;
}

class DeliveryError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null = null,
  ) {
    super(message);
  }
}

/**
 * One send's deadline, across its redirects: the request in progress is destroyed when it passes.
 * A timer and a field, where an AbortController per send cost 5 % of a drain's CPU time in the
 * controller, its signal and the listeners Node adds for it.
 */
interface Attempt {
  request: http.ClientRequest | null;
  timedOut: boolean;
}

type HopResult =
  | { kind: "response"; statusCode: number; excerpt: string }
  | { kind: "redirect"; statusCode: number; location: string };

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the receiver",
  EPIPE: "connection closed by the receiver",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host could not be resolved (temporary DNS failure)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  HPE_INVALID_CONSTANT: "invalid HTTP response",
};

function describeError(error: unknown): string {
  if (error instanceof DeliveryError || error instanceof ForbiddenAddressError) return error.message;
  const err = error as NodeJS.ErrnoException & { errors?: Error[] };
  const code = typeof err?.code === "string" ? err.code : undefined;
  const known = code ? NETWORK_ERRORS[code] : undefined;
  if (known && code) return `${known} (${code})`;
  // Happy Eyeballs reports every failed address in an AggregateError with an empty message.
  const message = err?.message || err?.errors?.[0]?.message || String(error);
  return (code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, 300);
}

/**
 * Delivers webhook requests over pooled keep-alive connections.
 *
 * The SSRF guard (SPEC §7) runs where the address is chosen: the agents' `lookup` checks every
 * address a host name resolves to at connect time, so a name that resolved to a public address
 * when the webhook was created and to 127.0.0.1 now (DNS rebinding) is refused without a
 * connection. Node skips `lookup` for IP literals, so those are checked before each hop.
 */
export function createWebhookSender(options: {
  allowPrivate: boolean;
  timeoutMs?: number;
  resolve?: Resolver;
  policy?: AddressPolicy;
  maxRedirects?: number;
  /** Keep-alive sockets per host (64 unless told). */
  socketsPerHost?: number;
}): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRedirects = options.maxRedirects ?? 3;
  const resolve = options.resolve ?? systemResolver;
  const policy = options.policy ?? forbiddenAddressReason;

  const forbidden = (ip: string): string | null => (options.allowPrivate ? null : policy(ip));

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (resolved) => {
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const addresses = resolved.filter((a) => family === 0 || a.family === family);
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`host not found: ${hostname}`);
          error.code = "ENOTFOUND";
          callback(error, "", 0);
          return;
        }
        // Refuse the host when any address is forbidden, as checkWebhookUrl does at creation:
        // a name mixing public and private addresses is not one a webhook should trust.
        for (const { address } of addresses) {
          const reason = forbidden(address);
          if (reason !== null) {
            const message = `refused: ${describeForbiddenAddress(hostname, address, reason)}`;
            callback(new ForbiddenAddressError(message), "", 0);
            return;
          }
        }
        if (lookupOptions.all) callback(null, addresses);
        else {
          const [first] = addresses;
          callback(null, first?.address ?? "", first?.family ?? 4);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };

  const sockets = options.socketsPerHost ?? 64;
  const agentOptions = {
    keepAlive: true,
    maxSockets: sockets,
    maxFreeSockets: sockets,
    scheduling: "lifo" as const,
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  function hop(
    url: URL,
    body: string,
    headers: Record<string, string>,
    attempt: Attempt,
    retryOnStaleSocket: boolean,
  ): Promise<HopResult> {
    return new Promise((resolveHop, rejectHop) => {
      const client = url.protocol === "https:" ? https : http;
      const request = client.request(url, {
        method: "POST",
        headers,
        agent: url.protocol === "https:" ? httpsAgent : httpAgent,
        lookup,
      });
      attempt.request = request;
      let responseStatus: number | null = null;
      request.on("error", (error: NodeJS.ErrnoException) => {
        // A pooled socket the receiver closed while idle fails on first write, almost always before
        // the receiver read the request: retry once on a fresh connection (Node's documented
        // pattern). A rare duplicate is within the at-least-once contract; receivers dedupe by id.
        if (retryOnStaleSocket && request.reusedSocket && error.code === "ECONNRESET" && !attempt.timedOut) {
          hop(url, body, headers, attempt, false).then(resolveHop, rejectHop);
          return;
        }
        // After the status line arrived, keep it: "timeout while reading a 200" is worth recording.
        rejectHop(responseStatus === null ? error : new DeliveryError(describeError(error), responseStatus));
      });
      request.on("response", (response) => {
        const statusCode = response.statusCode ?? 0;
        responseStatus = statusCode;
        const location = response.headers.location;
        let settled = false;
        const settle = (result: HopResult) => {
          if (settled) return;
          settled = true;
          resolveHop(result);
        };
        // The attempt's timeout destroys the response without 'end'; 'close' always comes.
        response.on("close", () => {
          if (settled) return;
          settled = true;
          rejectHop(new DeliveryError("connection closed before the response was complete", statusCode));
        });
        response.on("error", () => {});
        if (REDIRECT_STATUSES.has(statusCode) && location) {
          response.on("end", () => settle({ kind: "redirect", statusCode, location }));
          response.resume();
          return;
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        const finish = () =>
          settle({
            kind: "response",
            statusCode,
            excerpt: Buffer.concat(chunks).toString("utf8").slice(0, EXCERPT_CHARS),
          });
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          bytes += chunk.length;
          if (bytes >= MAX_READ_BYTES) {
            finish();
            response.destroy();
          }
        });
        response.on("end", finish);
      });
      request.end(body);
    });
  }

  async function deliver(
    startUrl: string,
    body: string,
    headers: Record<string, string>,
    attempt: Attempt,
  ): Promise<{ statusCode: number; excerpt: string }> {
    let url: URL;
    try {
      url = new URL(startUrl);
    } catch {
      throw new DeliveryError(`invalid URL: ${startUrl}`);
    }
    for (let redirects = 0; ; redirects++) {
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new DeliveryError(`refused: ${url.protocol} URLs are not allowed`);
      }
      if (url.username !== "" || url.password !== "") {
        throw new DeliveryError("refused: URLs with a username or password are not allowed");
      }
      const host = urlHost(url);
      if (isIP(host)) {
        const reason = forbidden(host);
        if (reason !== null)
          throw new DeliveryError(`refused: ${describeForbiddenAddress(host, host, reason)}`);
      }
      const result = await hop(url, body, headers, attempt, true);
      if (result.kind === "response") return result;
      if (redirects >= maxRedirects) {
        throw new DeliveryError(`too many redirects (more than ${maxRedirects})`, result.statusCode);
      }
      try {
        url = new URL(result.location, url);
      } catch {
        throw new DeliveryError(`invalid redirect location: ${result.location}`, result.statusCode);
      }
    }
  }

  return {
    async send(request) {
      const started = performance.now();
      const attempt: Attempt = { request: null, timedOut: false };
      const timeout = `timeout after ${timeoutMs / 1000} s`;
      const timer = setTimeout(() => {
        attempt.timedOut = true;
        attempt.request?.destroy(new DeliveryError(timeout));
      }, timeoutMs);
      const headers = {
        ...request.headers,
        "Content-Type": "application/json",
        "User-Agent": "Voltasis-Webhooks/1.0",
        "Content-Length": String(Buffer.byteLength(request.body)),
      };
      const elapsed = () => Math.round(performance.now() - started);
      try {
        const { statusCode, excerpt } = await deliver(request.url, request.body, headers, attempt);
        return {
          ok: statusCode >= 200 && statusCode < 300,
          statusCode,
          durationMs: elapsed(),
          error: null,
          responseExcerpt: excerpt,
        };
      } catch (error) {
        return {
          ok: false,
          statusCode: error instanceof DeliveryError ? error.statusCode : null,
          durationMs: elapsed(),
          error: attempt.timedOut ? timeout : describeError(error),
          responseExcerpt: null,
        };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
