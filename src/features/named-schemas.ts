import { MeResponse, TokenResponse } from "./accounts/schemas.js";
import { ApiKeySchema, ApiKeyWithSecretSchema } from "./api-keys/schemas.js";
import { ClientSchema } from "./clients/schemas.js";
import { EventSchema } from "./events/schemas.js";
import { JobSchema } from "./jobs/schemas.js";
import { LogEntrySchema, UsageSchema } from "./logs/schemas.js";
import { MEMBER_SCHEMAS } from "./members/schemas.js";
import { OAUTH_SCHEMAS } from "./oauth/schemas.js";
import { ORGANIZATION_SCHEMAS } from "./organizations/schemas.js";
import { ProjectSchema } from "./projects/schemas.js";
import { DetailedEntrySchema, SummarySchema } from "./reports/schemas.js";
import { SandboxSchema } from "./sandbox/schemas.js";
import { MemberRateSchema, SettingsSchema } from "./settings/schemas.js";
import { TagSchema } from "./tags/schemas.js";
import { TaskSchema } from "./tasks/schemas.js";
import { ExpandedTimeEntrySchema } from "./time-entries/expand.js";
import { TimeEntrySchema } from "./time-entries/schemas.js";
import { DeliverySchema, WebhookSchema, WebhookWithSecretSchema } from "./webhooks/schemas.js";

/**
 * Every resource schema with an `$id`, registered once at the root (app.ts): envelopes reference
 * them by name (platform/envelope.ts), so the OpenAPI document shows `Project`, `TimeEntry`, …
 * as components the SDKs turn into types, instead of the same object inlined in every operation.
 */
export const NAMED_SCHEMAS = [
  ...ORGANIZATION_SCHEMAS,
  ...MEMBER_SCHEMAS,
  TokenResponse,
  MeResponse,
  ApiKeySchema,
  ApiKeyWithSecretSchema,
  UsageSchema,
  SettingsSchema,
  MemberRateSchema,
  ClientSchema,
  ProjectSchema,
  TaskSchema,
  TagSchema,
  TimeEntrySchema,
  ExpandedTimeEntrySchema,
  SummarySchema,
  DetailedEntrySchema,
  EventSchema,
  LogEntrySchema,
  WebhookSchema,
  WebhookWithSecretSchema,
  DeliverySchema,
  JobSchema,
  SandboxSchema,
  ...OAUTH_SCHEMAS,
];
