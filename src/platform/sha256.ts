import crypto from "node:crypto";

type Encoding = "hex" | "base64url";

/**
 * SHA-256 of a text, once per request for a credential and for an ETag: Node's one-shot
 * `crypto.hash` (20.12 and later) skips the Hash object that createHash builds and drops.
 */
export const sha256: (text: string, encoding: Encoding) => string =
  typeof crypto.hash === "function"
    ? (text, encoding) => crypto.hash("sha256", text, encoding)
    : (text, encoding) => crypto.createHash("sha256").update(text).digest(encoding);
