/**
 * `@voltasis/sdk`. The client and its resources are generated from the contract
 * (src/generated/); the core (src/core/) is written by hand.
 */
export {
  type ClientOptions,
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  type RequestOptions,
  type RequestSpec,
  type RetryEvent,
  type StreamSpec,
  VoltasisCore,
} from "./core/client-core.js";
export * from "./core/errors.js";
export { DEFAULT_RECONNECT_MS, EventStream, type StreamConnector } from "./core/event-stream.js";
export { type ListSpec, Page, PagePromise, type PageResponse } from "./core/pagination.js";
export { DEFAULT_MAX_RETRIES, MAX_RETRY_AFTER_MS } from "./core/retry.js";
export { type ServerSentEvent, ServerSentEventParser } from "./core/sse.js";
export {
  unwrapWebhook,
  type VerifyWebhookOptions,
  verifyWebhookSignature,
  type WebhookEvent,
  type WebhookHeaders,
  type WebhookPayload,
  type WebhookScheme,
} from "./core/webhooks.js";
export { Voltasis as default } from "./generated/client.js";
export * from "./generated/index.js";
