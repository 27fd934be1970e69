import { type TObject, type TSchema, Type } from "@sinclair/typebox";
import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { Database } from "./db/schema.js";
import { ValidationError } from "./errors.js";
import { PageQueryProperties, type Pagination, pageWindow, paginationBlock } from "./pagination.js";
import type { OrgContext } from "./tenancy.js";

/**
 * SPEC §5 for one collection, declared once: the same declaration builds the querystring schema
 * (so unknown filters and sort fields are a 400 and all of them appear in the OpenAPI document)
 * and applies them to the SQL.
 */
export interface ListSpec {
  /** The table the rows come from, as aliased in the base query, for the cursor and id order. */
  table: keyof Database;
  alias: string;
  /** Equality filters: query parameter → its schema and the column it compares. */
  filters: Record<string, { schema: TSchema; column: string }>;
  /** `from` (inclusive) and `to` (exclusive) on this timestamp column. */
  range?: { column: string; description: string };
  /** Sortable fields: query value → column; the default order comes first. */
  sort: { fields: Record<string, string>; default: string; order: "asc" | "desc" };
  /**
   * `starting_after=<id>`: keyset pagination so a deep page costs what the first costs. Sort
   * fields must then be columns of `table` itself.
   */
  cursor?: { idPattern: string };
}

export function listQuerySchema(spec: ListSpec): TObject {
  const filters = Object.fromEntries(
    Object.entries(spec.filters).map(([name, filter]) => [name, Type.Optional(filter.schema)]),
  );
  const sortFields = Object.keys(spec.sort.fields);
  return Type.Object(
    {
      ...PageQueryProperties,
      ...filters,
      ...(spec.range
        ? {
            from: Type.Optional(
              Type.String({ format: "date-time", description: `${spec.range.description} at or after` }),
            ),
            to: Type.Optional(
              Type.String({ format: "date-time", description: `${spec.range.description} before` }),
            ),
          }
        : {}),
      sort: Type.Optional(
        Type.String({ enum: sortFields, description: `Sort field (default ${spec.sort.default})` } as never),
      ),
      order: Type.Optional(
        Type.String({ enum: ["asc", "desc"], description: `Default ${spec.sort.order}` } as never),
      ),
      ...(spec.cursor
        ? {
            starting_after: Type.Optional(
              Type.String({
                pattern: spec.cursor.idPattern,
                description: "Id of the last item of the previous page; the next page follows it",
              }),
            ),
          }
        : {}),
    },
    { additionalProperties: false },
  );
}

type AnyQuery<O> = SelectQueryBuilder<Database, keyof Database, O>;

/**
 * Runs a list: filters, range, order, then either the cursor or the offset window, and the total
 * for the pagination block. `base` selects the columns and joins; it must already be restricted
 * to the organization (store functions take the OrgContext for that).
 */
export async function runList<O>(
  db: Kysely<Database>,
  ctx: OrgContext,
  spec: ListSpec,
  base: SelectQueryBuilder<Database, never, O>,
  query: Record<string, unknown>,
): Promise<{ rows: O[]; pagination: Pagination }> {
  let filtered = base as unknown as AnyQuery<O>;
  for (const [name, filter] of Object.entries(spec.filters)) {
    if (query[name] !== undefined) filtered = filtered.where(sql.ref(filter.column), "=", query[name]);
  }
  if (spec.range) {
    const from = query.from as string | undefined;
    const to = query.to as string | undefined;
    if (from && to && Date.parse(from) > Date.parse(to)) {
      throw new ValidationError("to", "to must not be before from", "invalid_range");
    }
    if (from) filtered = filtered.where(sql.ref(spec.range.column), ">=", new Date(from));
    if (to) filtered = filtered.where(sql.ref(spec.range.column), "<", new Date(to));
  }

  const window = pageWindow(query);
  const sortColumn = spec.sort.fields[(query.sort as string | undefined) ?? spec.sort.default] as string;
  const order = (query.order as "asc" | "desc" | undefined) ?? spec.sort.order;
  const idColumn = `${spec.alias}.id`;
  let page = filtered;
  const cursor = query.starting_after as string | undefined;
  if (cursor) {
    if (query.offset !== undefined || query.page !== undefined) {
      throw new ValidationError(
        "starting_after",
        "starting_after cannot be combined with offset or page",
        "mixed_pagination_styles",
      );
    }
    const anchor = sql`(SELECT ${sql.ref(sortColumn.replace(`${spec.alias}.`, ""))}, id FROM ${sql.table(spec.table)}
      WHERE id = ${cursor} AND organization_id = ${ctx.orgId})`;
    const exists = await sql<{ found: boolean }>`SELECT EXISTS ${anchor} AS found`.execute(db);
    if (!exists.rows[0]?.found) {
      throw new ValidationError("starting_after", `No item with id ${cursor} in this list`, "not_found");
    }
    const comparison = order === "desc" ? sql`<` : sql`>`;
    page = page.where(sql<boolean>`(${sql.ref(sortColumn)}, ${sql.ref(idColumn)}) ${comparison} ${anchor}`);
  }
  // One extra row tells a keyset page whether another follows.
  const fetched = await page
    .orderBy(sql.ref(sortColumn), order)
    .orderBy(sql.ref(idColumn), order)
    .limit(cursor ? window.limit + 1 : window.limit)
    .offset(cursor ? 0 : window.offset)
    .execute();
  const rows = fetched.slice(0, window.limit);
  const counted = await filtered
    .clearSelect()
    .clearOrderBy()
    .select(sql<string>`count(*)`.as("total"))
    .executeTakeFirst();
  const total = Number((counted as { total?: string } | undefined)?.total ?? 0);
  const pagination = paginationBlock(cursor ? { limit: window.limit, offset: 0 } : window, total);
  if (cursor) {
    pagination.has_more = fetched.length > window.limit;
    pagination.has_next = pagination.has_more;
    pagination.has_previous = true;
  }
  return { rows: rows as O[], pagination };
}
