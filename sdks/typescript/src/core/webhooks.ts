/**
 * Verifying the webhooks Voltasis sends (SPEC §7), with WebCrypto so that it runs in Node >= 20,
 * browsers, Deno and edge runtimes alike. `crypto.subtle.verify` compares in constant time.
 *
 * Two schemes are signed on every delivery:
 * - Standard Webhooks (the default here): `webhook-signature` holds space-separated `v1,<base64>`
 *   HMAC-SHA256 signatures of `${webhook-id}.${webhook-timestamp}.${body}`, keyed by the
 *   base64-decoded part of the secret after `whsec_`; the timestamp must be within a tolerance
 *   (5 minutes), so a captured delivery cannot be replayed later.
 * - `X-Signature` (seed 003): hex HMAC-SHA256 of the raw body keyed by the whole `whsec_…` string.
 *   It has no timestamp, so it cannot refuse a replay: choose it only to match older receivers.
 */
import { WebhookVerificationError } from "./errors.js";
import { APIResource } from "./resource.js";

export type WebhookScheme = "standard-webhooks" | "x-signature";

/** Request headers as Fetch (`Headers`) or Node's `IncomingMessage.headers` hold them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** The raw body exactly as received: re-serialized JSON does not verify. */
export type WebhookPayload = string | Uint8Array | ArrayBuffer;

export interface VerifyWebhookOptions {
  /** Which signature to require. Default `standard-webhooks`. */
  scheme?: WebhookScheme;
  /** How far `webhook-timestamp` may be from now, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The time to check the timestamp against (tests). Default now. */
  now?: Date;
}

/** The body of every delivery. */
export interface WebhookEvent<Data = Record<string, unknown>> {
  id: string;
  event: string;
  timestamp: string;
  organization_id: string;
  data: Data;
}

const SECRET_PREFIX = "whsec_";
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** Throws WebhookVerificationError unless the delivery is signed with `secret` (and recent). */
export async function verifyWebhookSignature(
  payload: WebhookPayload,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<void> {
  const body = bytesOf(payload);
  if (!secret) throw new WebhookVerificationError("No webhook secret given");
  if ((options.scheme ?? "standard-webhooks") === "x-signature") {
    const signature = hexBytes(header(headers, "x-signature") ?? "");
    if (!signature || !(await hmacVerify(utf8(secret), signature, body))) {
      throw new WebhookVerificationError("X-Signature does not match the body and secret");
    }
    return;
  }
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature");
  }
  const seconds = Number(timestamp);
  const now = (options.now ?? new Date()).getTime() / 1000;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!/^\d+$/.test(timestamp) || Math.abs(now - seconds) > tolerance) {
    throw new WebhookVerificationError(
      "webhook-timestamp is outside the tolerance: a replay or a wrong clock",
    );
  }
  const key = base64Bytes(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  if (!key?.length)
    throw new WebhookVerificationError("The secret is not a whsec_ secret (base64 after whsec_)");
  const signed = concat(utf8(`${id}.${timestamp}.`), body);
  for (const entry of signatures.split(" ")) {
    const [version, encoded] = entry.split(",", 2);
    const signature = version === "v1" && encoded ? base64Bytes(encoded) : undefined;
    if (signature && (await hmacVerify(key, signature, signed))) return;
  }
  throw new WebhookVerificationError("No webhook-signature matches the body and secret");
}

/** Verifies a delivery, then parses its body. */
export async function unwrapWebhook<Data = Record<string, unknown>>(
  payload: WebhookPayload,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent<Data>> {
  await verifyWebhookSignature(payload, headers, secret, options);
  return JSON.parse(new TextDecoder().decode(bytesOf(payload))) as WebhookEvent<Data>;
}

/** The hand-written part of `client.webhooks`: its generated class adds the API's operations. */
export class WebhooksBase extends APIResource {
  /** See verifyWebhookSignature. */
  verifySignature(
    payload: WebhookPayload,
    headers: WebhookHeaders,
    secret: string,
    options?: VerifyWebhookOptions,
  ): Promise<void> {
    return verifyWebhookSignature(payload, headers, secret, options);
  }

  /** See unwrapWebhook. */
  unwrap<Data = Record<string, unknown>>(
    payload: WebhookPayload,
    headers: WebhookHeaders,
    secret: string,
    options?: VerifyWebhookOptions,
  ): Promise<WebhookEvent<Data>> {
    return unwrapWebhook<Data>(payload, headers, secret, options);
  }
}

async function hmacVerify(
  key: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  return crypto.subtle.verify("HMAC", cryptoKey, signature, data);
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found.join(" ") : (found ?? undefined);
}

function bytesOf(payload: WebhookPayload): Uint8Array<ArrayBuffer> {
  if (typeof payload === "string") return utf8(payload);
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload.slice(0));
  if (payload instanceof Uint8Array) return new Uint8Array(payload);
  throw new TypeError(
    "Pass the raw body (a string or bytes), not parsed JSON: re-serialized JSON does not verify",
  );
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}
