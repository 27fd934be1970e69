import type { Principal } from "../../platform/auth/authenticator.js";
import type { Db } from "../../platform/db/connection.js";
import { ForbiddenError, ValidationError } from "../../platform/errors.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { rfc3339 } from "../../platform/time.js";
import { DIMENSION_KEYS, isCalendar, parseGroupBy } from "./dimensions.js";
import { MAX_BUCKETS, MAX_REPORT_DAYS, parseBound } from "./period.js";
import type { DetailedEntry, DetailedQuery, Summary, SummaryGroup, SummaryQuery } from "./schemas.js";
import { createReportStore, type DetailedRow, type ReportFilter, type SummaryRow } from "./store.js";

type FilterQuery = Pick<
  SummaryQuery,
  "from" | "to" | "user_id" | "project_id" | "client_id" | "task_id" | "tag_id" | "billable"
>;

/**
 * SPEC §3: members see their own time entries, so their reports cover only their own time.
 * Asking for someone else's is refused rather than silently answered with an empty report.
 */
function filterFor(principal: Principal, query: FilterQuery): ReportFilter {
  let userId = query.user_id;
  if (principal.role === "member") {
    if (userId !== undefined && userId !== principal.user.id) {
      throw new ForbiddenError("Members can only report on their own time", {
        reason: "own_time_only",
        field: "user_id",
      });
    }
    userId = principal.user.id;
  }
  return {
    userId,
    projectId: query.project_id,
    clientId: query.client_id,
    taskId: query.task_id,
    tagId: query.tag_id,
    billable: query.billable,
  };
}

const amountsOf = (row: {
  seconds: string;
  billable_seconds: string;
  billable_amount: string;
  entries: string;
}) => ({
  seconds: Number(row.seconds),
  billable_seconds: Number(row.billable_seconds),
  billable_amount: Number(row.billable_amount),
  entries: Number(row.entries),
});

function toEntry(row: DetailedRow): DetailedEntry {
  return {
    id: row.id,
    user_id: row.user_id,
    project_id: row.project_id,
    task_id: row.task_id,
    description: row.description,
    start: rfc3339(row.start_at),
    // Reports leave running timers out, so every entry here has ended.
    end: rfc3339(row.end_at as Date),
    duration: row.duration_seconds ?? 0,
    billable: row.billable,
    billable_rate: row.billable_rate,
    billable_amount: Number(row.billable_amount),
    tag_ids: row.tag_ids,
  };
}

const DAY_MS = 86_400_000;

const BUCKET_DAYS = { day: 1, week: 7, month: 28 } as const;

function checkBuckets(groupBy: ReturnType<typeof parseGroupBy>, period: { from: Date; to: Date }) {
  const days = Math.ceil((period.to.getTime() - period.from.getTime()) / DAY_MS);
  for (const dimension of groupBy) {
    if (!isCalendar(dimension)) continue;
    const unit = BUCKET_DAYS[dimension as keyof typeof BUCKET_DAYS];
    const buckets = Math.ceil(days / unit) + 1;
    if (buckets > MAX_BUCKETS) {
      throw new ValidationError(
        "group_by",
        `group_by=${dimension} over ${days} days makes about ${buckets} buckets, more than ${MAX_BUCKETS}; ` +
          "group by a longer unit or shorten the period",
        "too_many_buckets",
        { max_buckets: MAX_BUCKETS },
      );
    }
  }
}

export function createReportService(deps: { db: Db }) {
  const store = createReportStore(deps.db);

  async function resolvePeriod(ctx: OrgContext, query: FilterQuery) {
    const resolved = await store.periodAndSettings(
      ctx,
      parseBound("from", query.from),
      parseBound("to", query.to),
    );
    const { from, to } = resolved.period;
    if (from.getTime() > to.getTime()) {
      throw new ValidationError("to", "to must not be before from", "invalid_range");
    }
    if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY_MS) {
      throw new ValidationError(
        "to",
        `A report covers at most ${MAX_REPORT_DAYS} days; split a longer period`,
        "range_too_long",
        { max_days: MAX_REPORT_DAYS },
      );
    }
    return resolved;
  }

  return {
    async summary(ctx: OrgContext, principal: Principal, query: SummaryQuery): Promise<Summary> {
      const groupBy = parseGroupBy(query.group_by);
      const filter = filterFor(principal, query);
      const { settings, period } = await resolvePeriod(ctx, query);
      checkBuckets(groupBy, period);
      const input = { period, filter, groupBy, settings };
      // An entry with two tags is in two tag groups, so only then do the groups not add up.
      const [rows, tagTotals] = await Promise.all([
        store.summary(ctx, input),
        groupBy.includes("tag") ? store.totals(ctx, period, filter, input.settings) : undefined,
      ]);
      const groups = rows.map((row) => toGroup(groupBy, row));
      const totals = tagTotals ? amountsOf(tagTotals) : sumOf(groups);
      return {
        from: rfc3339(period.from),
        to: rfc3339(period.to),
        timezone: settings.timezone,
        group_by: groupBy,
        currency: settings.currency,
        totals,
        groups,
      };
    },

    async detailed(ctx: OrgContext, principal: Principal, query: DetailedQuery) {
      const filter = filterFor(principal, query);
      const { period } = await resolvePeriod(ctx, query);
      const { rows, pagination } = await store.detailed(ctx, period, filter, query);
      return { items: rows.map(toEntry), pagination };
    },
  };
}

function toGroup(groupBy: ReturnType<typeof parseGroupBy>, row: SummaryRow): SummaryGroup {
  const key: Record<string, string | null> = {};
  const labels: Record<string, string | null> = {};
  groupBy.forEach((dimension, i) => {
    key[DIMENSION_KEYS[dimension]] = (i === 0 ? row.d0 : row.d1) ?? null;
    if (!isCalendar(dimension)) labels[dimension] = (i === 0 ? row.l0 : row.l1) ?? null;
  });
  return { key, labels, ...amountsOf(row) };
}

function sumOf(groups: SummaryGroup[]) {
  const totals = { seconds: 0, billable_seconds: 0, billable_amount: 0, entries: 0 };
  for (const group of groups) {
    totals.seconds += group.seconds;
    totals.billable_seconds += group.billable_seconds;
    totals.billable_amount += group.billable_amount;
    totals.entries += group.entries;
  }
  return totals;
}

export type ReportService = ReturnType<typeof createReportService>;
