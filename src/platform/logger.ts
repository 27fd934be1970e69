import os from "node:os";
import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import pino from "pino";

// Only method, url and ids of a request are logged, never its headers.
export const serializers = {
  req: (req: { method: string; url: string; id: string }) => ({
    method: req.method,
    url: req.url,
    request_id: req.id,
  }),
  res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
};

/**
 * Structured pino logs that never carry a credential: headers are not logged at all (only
 * method, url and ids), and any field that could hold a secret is censored wherever it appears.
 *
 * Written to stdout, or appended to `file`, asynchronously: a request does not wait for its line
 * to reach the descriptor, lines written meanwhile go out in one write, and pino writes what is
 * still buffered when the process exits.
 */
export function logging(
  level: string,
  file?: string,
): Pick<FastifyServerOptions, "logger" | "childLoggerFactory"> & { logController: OneLinePerRequest } {
  const stream =
    level === "silent" ? undefined : pino.destination({ dest: file ?? 1, sync: false, mkdir: true });
  return {
    logger: {
      level,
      ...(stream ? { stream } : {}),
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
      serializers,
    },
    // The request lines hold only what the serializers make, so they skip redaction, which cost
    // more than the rest of writing the line (the profile in issue 15).
    childLoggerFactory: (logger, bindings, options) =>
      new LazyChild(logger, bindings, options) as unknown as FastifyBaseLogger,
    logController: new OneLinePerRequest(stream && WRITES_INFO.has(level) ? stream : undefined),
  };
}

/**
 * One line per request, written when it is answered, with the method, path, request id, status
 * and time together: Fastify's default writes a second line when the request arrives, which
 * doubled the logging cost of a cheap request. A failed request's line goes through the app's
 * logger (with redaction), as it carries the error.
 *
 * The lines of one turn of the event loop reach the destination as one string. sonic-boom measures
 * the byte length of its whole pending buffer on every write, which flattens it: handed one line at
 * a time, it copied about 8 KB per request, a third of what GET /v1/auth/me allocated (issue 15).
 * Another log line written in the same turn may therefore land before request lines that were
 * answered just before it; each line carries its time.
 */
class OneLinePerRequest extends LogController {
  #pending: string[] = [];

  /** Where request lines go; none below `info`. */
  constructor(private readonly requests: pino.DestinationStream | undefined) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (error) {
      // After the lines of the requests answered before it.
      this.flush();
      reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, "request errored");
      return;
    }
    if (!this.requests) return;
    const waiting = this.#pending.push(requestLine(request, reply.statusCode, reply.elapsedTime));
    if (waiting === 1) setImmediate(this.flush);
    else if (waiting >= MAX_PENDING_LINES) this.flush();
  }

  /** Hands the waiting lines to the destination; also called when the app closes. */
  readonly flush = (): void => {
    if (this.#pending.length === 0) return;
    const lines = this.#pending.join("");
    this.#pending = [];
    this.requests?.write(lines);
  };
}

// A turn that answers more than this many requests writes them in several strings.
const MAX_PENDING_LINES = 1_000;

const BASE = `"pid":${process.pid},"hostname":${JSON.stringify(os.hostname())}`;

/**
 * The line pino writes for a completed request (the same keys in the same order, as a test
 * checks), built as one template: through pino's serializers and formatting it cost about a
 * twentieth of a cached GET (issue 15's profile of GET /v1/auth/me).
 */
export function requestLine(
  request: { id: string; method: string; url: string },
  statusCode: number,
  responseTime: number,
  time = Date.now(),
): string {
  const id = JSON.stringify(request.id);
  const req = `{"method":${JSON.stringify(request.method)},"url":${JSON.stringify(request.url)},"request_id":${id}}`;
  return `{"level":30,"time":${time},${BASE},"reqId":${id},"req":${req},"res":{"statusCode":${statusCode}},"responseTime":${responseTime},"msg":"request completed"}\n`;
}

type Logger = FastifyBaseLogger;
const WRITES_INFO = new Set(["info", "debug", "trace"]);
const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Each request's `request.log`, made into a pino child only when something logs through it:
 * Fastify builds one per request, and most requests never log but for their one line (above).
 * Methods on the prototype, so that a request allocates this object alone.
 */
class LazyChild {
  #made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Parameters<Logger["child"]>[0],
    private readonly options: Parameters<Logger["child"]>[1],
  ) {}

  get #log(): Logger {
    this.#made ??= this.parent.child(this.bindings, this.options);
    return this.#made;
  }

  get level() {
    return this.#log.level;
  }

  set level(level: string) {
    this.#log.level = level;
  }

  // fatal, error, …, silent: each passes its arguments on to the child, made on first use.
  static {
    for (const level of LEVELS) {
      Object.defineProperty(LazyChild.prototype, level, {
        value(this: LazyChild, ...args: [string]) {
          this.#log[level](...args);
        },
      });
    }
  }

  child(...args: Parameters<Logger["child"]>) {
    return this.#log.child(...args);
  }
}
