import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import type { MaybePromise } from "./maybe-promise.js";

/*
 * Hooks whose work is synchronous, in Fastify's callback style: every request passes each hook,
 * and an async one costs it a promise and a turn of the microtask queue (issue 15's profile of
 * GET /v1/auth/me). A throw becomes the hook's error, as it would in an async hook. `done` is
 * called outside the try: it runs the next hook, whose errors are not this hook's.
 */

/**
 * onRequest, preValidation, preHandler. Work that only sometimes waits returns a promise then
 * (a MaybePromise), and the next hook runs once it settles.
 */
export function syncHook(work: (request: FastifyRequest, reply: FastifyReply) => MaybePromise<void>) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    let waiting: MaybePromise<void>;
    try {
      waiting = work(request, reply);
    } catch (error) {
      return done(error as Error);
    }
    if (waiting instanceof Promise) waiting.then(() => done(), done);
    else done();
  };
}

/** preSerialization and onSend: `work` returns the payload to go on with. */
export function syncPayloadHook<P>(
  work: (request: FastifyRequest, reply: FastifyReply, payload: P) => unknown,
) {
  return (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: P,
    done: (error: Error | null, value?: unknown) => void,
  ) => {
    let next: unknown;
    try {
      next = work(request, reply, payload);
    } catch (error) {
      return done(error as Error);
    }
    done(null, next);
  };
}
