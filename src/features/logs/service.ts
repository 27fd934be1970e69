import type { Authenticator, Principal } from "../../platform/auth/authenticator.js";
import type { Db } from "../../platform/db/connection.js";
import { ValidationError } from "../../platform/errors.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { createApiKeyService } from "../api-keys/service.js";
import { toLogEntry } from "./format.js";
import { DEFAULT_USAGE_DAYS, USAGE_RETENTION_DAYS, type Usage, type UsageQuery } from "./schemas.js";
import { createLogStore } from "./store.js";

const DAY_MS = 86_400_000;
const dayOf = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (day: string, days: number) => dayOf(new Date(Date.parse(day) + days * DAY_MS));

/** `[from, to)` in UTC days, from the query or the default window ending today. */
function usageRange(query: UsageQuery): { from: string; to: string } {
  const to = query.to ?? addDays(dayOf(new Date()), 1);
  const from = query.from ?? addDays(to, -DEFAULT_USAGE_DAYS);
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
  if (days <= 0) throw new ValidationError("to", "to must be after from", "invalid_range");
  if (days > USAGE_RETENTION_DAYS) {
    throw new ValidationError(
      "to",
      `The range may span at most ${USAGE_RETENTION_DAYS} days (usage is kept that long)`,
      "range_too_long",
      { max_days: USAGE_RETENTION_DAYS },
    );
  }
  return { from, to };
}

/**
 * Read-only: request entries are written by platform/request-log.ts after each response, audit
 * entries by recordEvent in the transaction of the change they record.
 */
export function createLogService(deps: { db: Db; authenticator: Authenticator }) {
  const { db } = deps;
  const apiKeys = createApiKeyService(deps);

  return {
    async list(ctx: OrgContext, query: Record<string, unknown>) {
      const { rows, pagination } = await createLogStore(db).list(ctx, query);
      return { items: rows.map(toLogEntry), pagination };
    },

    /** Whoever may see the key (GET /v1/api-keys/{id}) may see its usage; 403 for another org's key. */
    async usage(ctx: OrgContext, principal: Principal, keyId: string, query: UsageQuery): Promise<Usage> {
      const { from, to } = usageRange(query);
      await apiKeys.get(ctx, principal, keyId);
      const rows = await createLogStore(db).usage(ctx, keyId, from, to);
      const counted = new Map(rows.map((row) => [row.date, row]));
      const days: Usage["days"] = [];
      for (let date = from; date < to; date = addDays(date, 1)) {
        const row = counted.get(date);
        days.push({ date, requests: Number(row?.requests ?? 0), errors: Number(row?.errors ?? 0) });
      }
      const totals = days.reduce(
        (sum, d) => ({ requests: sum.requests + d.requests, errors: sum.errors + d.errors }),
        { requests: 0, errors: 0 },
      );
      return { api_key_id: keyId, from, to, totals, days };
    },
  };
}

export type LogService = ReturnType<typeof createLogService>;
