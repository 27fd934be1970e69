import type { Migration } from "kysely";
import * as accounts from "./0001_accounts.js";
import * as timeTracking from "./0002_time_tracking.js";
import * as eventsByTime from "./0003_events_by_time.js";
import * as webhooksJobsLogs from "./0004_webhooks_jobs_logs.js";
import * as logsRetention from "./0005_logs_retention.js";
import * as invitationsAndRates from "./0006_invitations_and_rates.js";
import * as boundedJobs from "./0007_bounded_jobs.js";
import * as importFingerprints from "./0008_import_fingerprints.js";
import * as sandbox from "./0009_sandbox.js";
import * as idempotencyKeys from "./0010_idempotency_keys.js";
import * as oauth from "./0011_oauth.js";
import * as timeEntryCounts from "./0012_time_entry_counts.js";
import * as stripedTimeEntryCounts from "./0013_striped_time_entry_counts.js";
import * as webhookDeliveriesByEndpoint from "./0014_webhook_deliveries_by_endpoint.js";

/**
 * Forward-only and never edited once landed: add a new numbered file and list it here.
 * The keys sort as the order they apply in.
 */
export const migrations: Record<string, Migration> = {
  "0001_accounts": accounts,
  "0002_time_tracking": timeTracking,
  "0003_events_by_time": eventsByTime,
  "0004_webhooks_jobs_logs": webhooksJobsLogs,
  "0005_logs_retention": logsRetention,
  "0006_invitations_and_rates": invitationsAndRates,
  "0007_bounded_jobs": boundedJobs,
  "0008_import_fingerprints": importFingerprints,
  "0009_sandbox": sandbox,
  "0010_idempotency_keys": idempotencyKeys,
  "0011_oauth": oauth,
  "0012_time_entry_counts": timeEntryCounts,
  "0013_striped_time_entry_counts": stripedTimeEntryCounts,
  "0014_webhook_deliveries_by_endpoint": webhookDeliveriesByEndpoint,
};
