import type { FastifyRequest } from "fastify";

/** Whether the client is a browser asking for a page (its Accept names text/html). */
export const acceptsHtml = (request: FastifyRequest) => (request.headers.accept ?? "").includes("text/html");
