import { createHmac, randomBytes } from "node:crypto";

const SECRET_PREFIX = "whsec_";

/** A new signing secret in the Standard Webhooks format: `whsec_` + base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString("base64");
}

/** The key Standard Webhooks signs with: the base64-decoded part after `whsec_`. */
function standardKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, "base64");
}

/**
 * The signature headers for one delivery attempt (SPEC §7).
 *
 * `X-Signature` follows seed 003: hex HMAC-SHA256 of the raw body keyed with the secret string
 * exactly as the user received it (`whsec_` included), signed with the current secret only.
 * The Standard Webhooks headers carry one `v1,` signature per secret, so during a rotation's 24 h
 * overlap a receiver still holding the previous secret keeps verifying.
 */
export function signatureHeaders(args: {
  secrets: string[];
  messageId: string;
  timestamp: Date;
  body: string;
}): Record<string, string> {
  const [current] = args.secrets;
  if (current === undefined) throw new Error("signatureHeaders needs at least one secret");
  const seconds = Math.floor(args.timestamp.getTime() / 1000).toString();
  const signedContent = `${args.messageId}.${seconds}.${args.body}`;
  const signatures = args.secrets.map(
    (secret) => `v1,${createHmac("sha256", standardKey(secret)).update(signedContent).digest("base64")}`,
  );
  return {
    "X-Signature": createHmac("sha256", current).update(args.body).digest("hex"),
    "webhook-id": args.messageId,
    "webhook-timestamp": seconds,
    "webhook-signature": signatures.join(" "),
  };
}
