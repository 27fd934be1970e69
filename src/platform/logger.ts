import type { FastifyServerOptions } from "fastify";
import pino from "pino";

/**
 * Structured pino logs that never carry a credential: headers are not logged at all (only
 * method, url and ids), and any field that could hold a secret is censored wherever it appears.
 *
 * Written to stdout, or appended to `file`.
 */
export function loggerOptions(level: string, file?: string): FastifyServerOptions["logger"] {
  return {
    level,
    ...(level === "silent" ? {} : { stream: pino.destination({ dest: file ?? 1, mkdir: true }) }),
    redact: {
      paths: [
        "password",
        "*.password",
        "*.password_hash",
        "*.token",
        "*.access_token",
        "*.refresh_token",
        "*.secret",
        "*.authorization",
        "req.headers.authorization",
        "req.headers.cookie",
      ],
      censor: "[redacted]",
    },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        url: req.url,
        request_id: req.id,
      }),
    },
  };
}
