import type { FastifyReply } from "fastify";

/**
 * The console's Content-Security-Policy: only its own scripts, styles and API (no inline script,
 * no eval), never framed, no <base> or plugins. React sets inline styles through the CSSOM, which
 * `style-src 'self'` allows; the charts are inline SVG, so `img-src` needs only 'self' and data:.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Set on every response of the console (pages, assets and its session endpoints). */
export function setConsoleSecurityHeaders(reply: FastifyReply): void {
  reply.header("Content-Security-Policy", CONSOLE_CSP);
  reply.header("X-Content-Type-Options", "nosniff");
  reply.header("Referrer-Policy", "no-referrer");
  reply.header("X-Frame-Options", "DENY");
  reply.header("Cross-Origin-Opener-Policy", "same-origin");
}
