import { ValidationError } from "../../platform/errors.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);
// RFC 8252 §7.1: a native app's private-use scheme is a reversed domain name it controls.
const PRIVATE_SCHEME = /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/;

/**
 * Why a redirect URI cannot be registered, or null when it can (RFC 6749 §3.1.2, RFC 8252, the
 * OAuth 2.0 Security BCP §4.1): absolute, no fragment, and either https, http to the app's own
 * machine, or a native app's private scheme. Matching is exact, so a registered URI is the whole
 * of what the browser may be sent to.
 */
function problemWith(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "is not an absolute URI";
  }
  if (uri.includes("#")) return "must not have a fragment";
  if (url.username || url.password) return "must not carry user information";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? null
      : "must use https (http only to 127.0.0.1, [::1] or localhost)";
  }
  return PRIVATE_SCHEME.test(url.protocol)
    ? null
    : "must use https or a private scheme such as com.example.app:";
}

/** Throws a 400 naming the first redirect URI that cannot be registered. */
export function checkRedirectUris(uris: readonly string[]): void {
  for (const [index, uri] of uris.entries()) {
    const problem = problemWith(uri);
    if (problem) {
      throw new ValidationError(
        `redirect_uris[${index}]`,
        `The redirect URI ${problem}`,
        "invalid_redirect_uri",
      );
    }
  }
}
