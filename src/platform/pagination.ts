import { type Static, Type } from "@sinclair/typebox";
import { ApiError } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
// Bounded so that a huge offset or page is a 400 naming it, not a number PostgreSQL's OFFSET (or
// JavaScript's arithmetic) cannot hold: 2^31 - 1 items is beyond any list a page could reach.
export const MAX_OFFSET = 2_147_483_647;
export const MAX_PAGE = Math.floor(MAX_OFFSET / MAX_PAGE_SIZE) + 1;

/** SPEC §5: both `limit`/`offset` (seed 002) and `page`/`per_page` (seed 003) on every list. */
export const PageQueryProperties = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      description: `Items per page (default ${DEFAULT_PAGE_SIZE})`,
    }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, description: "Items to skip" })),
  page: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE,
      description: "Page number, from 1 (alternative to offset)",
    }),
  ),
  per_page: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      description: "Items per page (alternative to limit)",
    }),
  ),
};

export const PageQuerySchema = Type.Object(PageQueryProperties, { additionalProperties: false });
export type PageQuery = Static<typeof PageQuerySchema>;

export const PaginationSchema = Type.Object(
  {
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
    has_more: Type.Boolean(),
    page: Type.Integer(),
    per_page: Type.Integer(),
    total_pages: Type.Integer(),
    has_next: Type.Boolean(),
    has_previous: Type.Boolean(),
  },
  { $id: "Pagination", additionalProperties: false },
);
export type Pagination = Static<typeof PaginationSchema>;

export interface PageWindow {
  limit: number;
  offset: number;
}

export function pageWindow(query: PageQuery): PageWindow {
  const offsetStyle = query.limit !== undefined || query.offset !== undefined;
  const pageStyle = query.page !== undefined || query.per_page !== undefined;
  if (offsetStyle && pageStyle) {
    throw new ApiError("VALIDATION_ERROR", "Use either limit/offset or page/per_page, not both", {
      field: query.page !== undefined ? "page" : "per_page",
      reason: "mixed_pagination_styles",
    });
  }
  if (pageStyle) {
    const perPage = query.per_page ?? DEFAULT_PAGE_SIZE;
    return { limit: perPage, offset: ((query.page ?? 1) - 1) * perPage };
  }
  return { limit: query.limit ?? DEFAULT_PAGE_SIZE, offset: query.offset ?? 0 };
}

export function paginationBlock(window: PageWindow, total: number): Pagination {
  const { limit, offset } = window;
  const hasMore = offset + limit < total;
  return {
    total,
    limit,
    offset,
    has_more: hasMore,
    page: Math.floor(offset / limit) + 1,
    per_page: limit,
    total_pages: Math.ceil(total / limit),
    has_next: hasMore,
    has_previous: offset > 0,
  };
}
