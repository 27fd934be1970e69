import { randomBytes } from "node:crypto";
import { sha256 } from "../sha256.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Uniform base62 by rejection sampling (bytes >= 248 would bias the modulo). */
function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export type CredentialKind =
  | "api_key"
  | "access_token"
  | "refresh_token"
  | "oauth_access_token"
  | "oauth_refresh_token";

const FORMATS = {
  api_key: { pattern: /^vlt_(live|test)_[0-9A-Za-z]{32}$/, length: 32 },
  access_token: { pattern: /^vlt_at_[0-9A-Za-z]{40}$/, length: 40 },
  refresh_token: { pattern: /^vlt_rt_[0-9A-Za-z]{40}$/, length: 40 },
  // Issued to third-party apps (features/oauth): told apart from a user's own session by prefix.
  oauth_access_token: { pattern: /^vlt_oat_[0-9A-Za-z]{40}$/, length: 40 },
  oauth_refresh_token: { pattern: /^vlt_ort_[0-9A-Za-z]{40}$/, length: 40 },
} as const;

export function newApiKeySecret(mode: "live" | "test"): string {
  return `vlt_${mode}_${randomBase62(FORMATS.api_key.length)}`;
}

export function newAccessToken(): string {
  return `vlt_at_${randomBase62(FORMATS.access_token.length)}`;
}

export function newRefreshToken(): string {
  return `vlt_rt_${randomBase62(FORMATS.refresh_token.length)}`;
}

export function newOAuthAccessToken(): string {
  return `vlt_oat_${randomBase62(FORMATS.oauth_access_token.length)}`;
}

export function newOAuthRefreshToken(): string {
  return `vlt_ort_${randomBase62(FORMATS.oauth_refresh_token.length)}`;
}

/** An OAuth app's client secret and its one-time authorization codes: never bearer credentials. */
export function newOAuthClientSecret(): string {
  return `vlt_ocs_${randomBase62(40)}`;
}

export function newOAuthAuthorizationCode(): string {
  return `vlt_oac_${randomBase62(40)}`;
}

/** A one-time invitation token (SPEC §3): not a credential, so `credentialKind` never matches it. */
export const INVITATION_TOKEN_PATTERN = "^vlt_inv_[0-9A-Za-z]{40}$";

export function newInvitationToken(): string {
  return `vlt_inv_${randomBase62(40)}`;
}

/** Which kind of credential a bearer string is shaped like, or null when it is malformed. */
export function credentialKind(token: string): CredentialKind | null {
  for (const kind of Object.keys(FORMATS) as CredentialKind[]) {
    if (FORMATS[kind].pattern.test(token)) return kind;
  }
  return null;
}

/**
 * Secrets are 190+ random bits, so one SHA-256 is as strong as a slow hash here and keeps
 * verification cheap (Stripe and Unkey do the same). Only this digest is ever stored, and a
 * credential is found by looking its digest up: no secret is ever compared byte by byte, and the
 * timing of a lookup tells a caller nothing, since they choose the secret but not its digest.
 */
export function hashSecret(secret: string): string {
  return sha256(secret, "hex");
}
