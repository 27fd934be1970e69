import { type RawBuilder, type SelectQueryBuilder, sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import type { Database } from "../../platform/db/schema.js";
import { runList } from "../../platform/list-query.js";
import type { OrgContext } from "../../platform/tenancy.js";
import type { Dimension } from "./dimensions.js";
import type { Bound } from "./period.js";
import {
  AGGREGATES,
  amountOf,
  bucketOf,
  entriesOf,
  entryRows,
  labelOf,
  type Period,
  type ReportFilter,
  type ReportSettings,
} from "./report-sql.js";
import { DETAILED_LIST } from "./schemas.js";

export type { Period, ReportFilter, ReportSettings };

export interface DetailedRow {
  id: string;
  user_id: string;
  project_id: string | null;
  task_id: string | null;
  description: string;
  start_at: Date;
  end_at: Date | null;
  duration_seconds: number | null;
  billable: boolean;
  billable_rate: number;
  billable_amount: string;
  tag_ids: string[];
}

interface AmountRow {
  seconds: string;
  billable_seconds: string;
  billable_amount: string;
  entries: string;
}
export type SummaryRow = AmountRow & {
  d0: string | null;
  d1?: string | null;
  l0?: string | null;
  l1?: string | null;
};

const ENTRY_AMOUNT = sql<string>`CASE WHEN te.billable
  THEN ${amountOf(sql`te.duration_seconds`, sql`te.billable_rate`)} ELSE 0 END`;
const TAG_IDS = sql<string[]>`ARRAY(SELECT tag_id FROM time_entry_tags tt
  WHERE tt.organization_id = te.organization_id AND tt.time_entry_id = te.id ORDER BY tag_id)`;

export function createReportStore(db: Db) {
  return {
    /** The organization's report settings and the period, with dates read in its timezone. */
    async periodAndSettings(ctx: OrgContext, from: Bound | undefined, to: Bound | undefined) {
      const monthStart = sql`date_trunc('month', now() AT TIME ZONE s.timezone)`;
      const resolve = (bound: Bound | undefined, fallback: RawBuilder<unknown>) => {
        if (bound === undefined) return sql`(${fallback} AT TIME ZONE s.timezone)`;
        if (bound.kind === "instant") return sql`${bound.at}::timestamptz`;
        return sql`(${bound.date}::date::timestamp AT TIME ZONE s.timezone)`;
      };
      const result = await sql<{
        timezone: string;
        week_start: "monday" | "sunday";
        currency: string;
        rounding_minutes: number;
        from_at: Date;
        to_at: Date;
      }>`
        SELECT s.timezone, s.week_start, s.currency, s.rounding_minutes,
          ${resolve(from, monthStart)} AS from_at,
          ${resolve(to, sql`(${monthStart} + interval '1 month')`)} AS to_at
        FROM organization_settings s WHERE s.organization_id = ${ctx.orgId}`.execute(db);
      const row = result.rows[0];
      if (!row) throw new Error(`organization ${ctx.orgId} has no settings row`);
      const settings: ReportSettings = {
        timezone: row.timezone,
        weekStart: row.week_start,
        currency: row.currency,
        roundingMinutes: row.rounding_minutes,
      };
      return { settings, period: { from: row.from_at, to: row.to_at } };
    },

    /**
     * One row per group, aggregated in PostgreSQL. With a tag grouping an entry joins once per tag
     * (and once with a null tag when it has none), so it counts in each of its tags' groups.
     */
    async summary(
      ctx: OrgContext,
      input: { period: Period; filter: ReportFilter; groupBy: Dimension[]; settings: ReportSettings },
    ): Promise<SummaryRow[]> {
      const { groupBy, settings } = input;
      const buckets = groupBy.map((d, i) => sql`${bucketOf(d, settings)} AS ${sql.raw(`d${i}`)}`);
      const joins: RawBuilder<unknown>[] = [];
      if (groupBy.includes("client")) {
        joins.push(
          sql`LEFT JOIN projects p ON p.organization_id = te.organization_id AND p.id = te.project_id`,
        );
      }
      if (groupBy.includes("tag")) {
        joins.push(
          sql`LEFT JOIN time_entry_tags tt ON tt.organization_id = te.organization_id AND tt.time_entry_id = te.id`,
        );
      }
      const labels = groupBy.map((d, i) => labelOf(ctx, d, i));
      const labelColumns = labels.flatMap((l, i) => (l ? [sql`, ${l.label} AS ${sql.raw(`l${i}`)}`] : []));
      const labelJoins = labels.flatMap((l) => (l ? [l.join] : []));
      // Named groups sort by name (no name last), calendar buckets by date.
      const order = groupBy.flatMap((_, i) => {
        const label = labels[i];
        const key = sql.raw(`g.d${i}`);
        return label ? [sql`lower(${label.label}) NULLS LAST`, sql`${key} NULLS LAST`] : [sql`${key}`];
      });
      const result = await sql<SummaryRow>`
        WITH g AS (
          SELECT ${sql.join(groupBy.map((_, i) => sql.raw(`e.d${i}`)))}, ${AGGREGATES}
          FROM ${entryRows(buckets, joins, entriesOf(ctx, input.period, input.filter), settings.roundingMinutes)}
          GROUP BY ${sql.raw(groupBy.map((_, i) => i + 1).join(", "))}
        )
        SELECT g.* ${sql.join(labelColumns, sql` `)}
        FROM g ${sql.join(labelJoins, sql` `)}
        ORDER BY ${sql.join(order)}`.execute(db);
      return result.rows;
    },

    /** Each entry once, whatever its tags: the totals beside a tag grouping. */
    async totals(
      ctx: OrgContext,
      period: Period,
      filter: ReportFilter,
      settings: ReportSettings,
    ): Promise<AmountRow> {
      const entries = entryRows([], [], entriesOf(ctx, period, filter), settings.roundingMinutes);
      const result = await sql<AmountRow>`SELECT ${AGGREGATES} FROM ${entries}`.execute(db);
      return result.rows[0] as AmountRow;
    },

    /** The entries themselves, a page at a time (SPEC §5 pagination, sort and cursor). */
    async detailed(ctx: OrgContext, period: Period, filter: ReportFilter, query: Record<string, unknown>) {
      const base = db
        .selectFrom("time_entries as te")
        .select([
          "te.id",
          "te.user_id",
          "te.project_id",
          "te.task_id",
          "te.description",
          "te.start_at",
          "te.end_at",
          "te.duration_seconds",
          "te.billable",
          "te.billable_rate",
          ENTRY_AMOUNT.as("billable_amount"),
          TAG_IDS.as("tag_ids"),
        ])
        .where(entriesOf(ctx, period, filter));
      return runList(
        db,
        ctx,
        DETAILED_LIST,
        base as unknown as SelectQueryBuilder<Database, never, DetailedRow>,
        query,
      );
    },
  };
}

export type ReportStore = ReturnType<typeof createReportStore>;
