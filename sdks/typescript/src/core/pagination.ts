/**
 * Lists (SPEC §5). `client.projects.list()` gives a PagePromise: `await` it for the first page,
 * or `for await` over it for every item of every page, each page fetched only when the iteration
 * reaches it. Deep lists page by cursor (`starting_after`, the last item's id) where the API has
 * one, so that each page costs what the first costs; other lists page by offset or page number,
 * in the style the caller chose. Iteration stops when `pagination.has_more` is false.
 */
import type { Metadata, Pagination } from "../generated/types.js";

export interface PageResponse<T> {
  data: T[];
  pagination: Pagination;
  metadata: Metadata;
}

/** A list operation, as a generated method describes it to the transport. */
export interface ListSpec {
  method: "GET";
  path: string;
  query?: object | undefined;
  /** The operation takes `starting_after`. */
  cursor: boolean;
}

type Query = Record<string, unknown>;
type FetchPage<T> = (query: Query) => Promise<PageResponse<T>>;

export class Page<T> implements AsyncIterable<T> {
  readonly data: T[];
  readonly pagination: Pagination;
  /** `metadata.request_id` of this page's response. */
  readonly requestId: string;
  readonly #query: Query;
  readonly #fetchPage: FetchPage<T>;
  readonly #byCursor: boolean;

  constructor(response: PageResponse<T>, query: Query, fetchPage: FetchPage<T>, byCursor: boolean) {
    this.data = response.data;
    this.pagination = response.pagination;
    this.requestId = response.metadata?.request_id;
    this.#query = query;
    this.#fetchPage = fetchPage;
    this.#byCursor = byCursor;
  }

  hasNextPage(): boolean {
    return this.pagination.has_more && this.data.length > 0;
  }

  /** The page after this one; check hasNextPage() first. */
  async getNextPage(): Promise<Page<T>> {
    if (!this.hasNextPage()) throw new Error("No next page: check hasNextPage() first");
    const query = this.#nextQuery();
    return new Page(await this.#fetchPage(query), query, this.#fetchPage, this.#byCursor);
  }

  /** This page and each one after it, fetched as the iteration reaches it. */
  async *iterPages(): AsyncGenerator<Page<T>> {
    let page: Page<T> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  /** Every item of this page and of the pages after it. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.iterPages()) yield* page.data;
  }

  #nextQuery(): Query {
    const last = this.data[this.data.length - 1] as { id?: unknown } | undefined;
    if (this.#byCursor && typeof last?.id === "string") return { ...this.#query, starting_after: last.id };
    if (this.#query.page !== undefined || this.#query.per_page !== undefined) {
      return { ...this.#query, page: ((this.#query.page as number | undefined) ?? 1) + 1 };
    }
    return { ...this.#query, offset: ((this.#query.offset as number | undefined) ?? 0) + this.data.length };
  }
}

/**
 * What a list method returns: awaitable (the first page) and async-iterable (all items). Nothing
 * is fetched until it is awaited or iterated, so an unused list costs no request.
 */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  #first: Promise<Page<T>> | undefined;
  readonly #load: () => Promise<Page<T>>;

  private constructor(load: () => Promise<Page<T>>) {
    this.#load = load;
  }

  static start<T>(spec: ListSpec, fetchPage: FetchPage<T>): PagePromise<T> {
    const query = { ...(spec.query ?? {}) } as Query;
    // The cursor follows the default sort of each list (and any order); an explicit sort, offset
    // or page number is honoured by paging the way the caller started.
    const byCursor =
      spec.cursor && query.offset === undefined && query.page === undefined && query.sort === undefined;
    return new PagePromise(async () => new Page<T>(await fetchPage(query), query, fetchPage, byCursor));
  }

  #firstPage(): Promise<Page<T>> {
    this.#first ??= this.#load();
    return this.#first;
  }

  // biome-ignore lint/suspicious/noThenProperty: a list is awaited for its first page, on purpose.
  then<R1 = Page<T>, R2 = never>(
    onfulfilled?: ((page: Page<T>) => R1 | PromiseLike<R1>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: as Promise types it, so `(e: APIError) => …` fits.
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#firstPage().then(onfulfilled, onrejected);
  }

  // biome-ignore lint/suspicious/noExplicitAny: as Promise types it, so `(e: APIError) => …` fits.
  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<Page<T> | R> {
    return this.#firstPage().catch(onrejected);
  }

  /** Every page, fetched as the iteration reaches it. */
  async *iterPages(): AsyncGenerator<Page<T>> {
    yield* (await this.#firstPage()).iterPages();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    yield* await this.#firstPage();
  }
}
