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
        Type.String({
          enum: ["asc", "desc"],
          description: `Default ${spec.sort.order} for ${spec.sort.default}, asc for other fields`,
        } as never),
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
 * to the organization (store functions take the OrgContext for that). `total`, when given,
 * answers the exact total from elsewhere (a count kept up to date) instead of a count(*) of the
 * filtered rows.
 */
export async function runList<O>(
  db: Kysely<Database>,
  ctx: OrgContext,
  spec: ListSpec,
  base: SelectQueryBuilder<Database, never, O>,
  query: Record<string, unknown>,
  total?: () => Promise<number>,
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
  // The declared order belongs to the default field (newest first); another field named without
  // an order reads A to Z, as a person sorting by name expects.
  const sortField = (query.sort as string | undefined) ?? spec.sort.default;
  const order =
    (query.order as "asc" | "desc" | undefined) ??
    (sortField === spec.sort.default ? spec.sort.order : "asc");
  const sortColumn = spec.sort.fields[sortField] as string;
  const idColumn = `${spec.alias}.id`;
  let page = filtered;
  const cursor = query.starting_after as string | undefined;
  let anchorFound: Promise<boolean> = Promise.resolve(true);
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
    anchorFound = sql<{ found: boolean }>`SELECT EXISTS ${anchor} AS found`
      .execute(db)
      .then((result) => result.rows[0]?.found === true);
    const comparison = order === "desc" ? sql`<` : sql`>`;
    page = page.where(sql<boolean>`(${sql.ref(sortColumn)}, ${sql.ref(idColumn)}) ${comparison} ${anchor}`);
  }
  // One extra row tells a keyset page whether another follows. The page, the total and the
  // cursor check are independent queries: run them side by side on the pool.
  const [fetched, counted, found] = await Promise.all([
    page
      .orderBy(sql.ref(sortColumn), order)
      .orderBy(sql.ref(idColumn), order)
      .limit(cursor ? window.limit + 1 : window.limit)
      .offset(cursor ? 0 : window.offset)
      .execute(),
    total?.() ??
      filtered
        .clearSelect()
        .clearOrderBy()
        .select(sql<string>`count(*)`.as("total"))
        .executeTakeFirst()
        .then((row) => Number((row as { total?: string } | undefined)?.total ?? 0)),
    anchorFound,
  ]);
  if (!found)
    throw new ValidationError("starting_after", `No item with id ${cursor} in this list`, "not_found");
  const rows = fetched.slice(0, window.limit);
  const pagination = paginationBlock(cursor ? { limit: window.limit, offset: 0 } : window, counted);
  if (cursor) {
    pagination.has_more = fetched.length > window.limit;
    pagination.has_next = pagination.has_more;
    pagination.has_previous = true;
  }
  return { rows: rows as O[], pagination };
}
