import type { FastifyServerOptions } from "fastify";

/**
 * Structured pino logs that never carry a credential: headers are not logged at all (only
 * method, url and ids), and any field that could hold a secret is censored wherever it appears.
 */
export function loggerOptions(level: string): FastifyServerOptions["logger"] {
  return {
    level,
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
