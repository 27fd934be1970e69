import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import type { ReservedSql, Sql } from "postgres";

/**
 * Kysely over postgres.js, written for the hot path:
 * - parameterised queries are prepared once per connection (kysely-postgres-js sends them
 *   unprepared, so PostgreSQL plans every credential lookup and list page again: ~1 ms each);
 * - a plain query runs on the pool; only a transaction reserves a connection for its span.
 */
class PostgresJsConnection implements DatabaseConnection {
  #reserved: ReservedSql | null = null;

  constructor(private readonly pool: Sql) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const params = query.parameters.slice() as never[];
    // Parameterless text may hold several statements (migrations): that needs the simple protocol.
    const result = await (this.#reserved ?? this.pool).unsafe(query.sql, params, {
      prepare: params.length > 0,
    });
    const rows = Array.from(result.values()) as R[];
    if (["INSERT", "UPDATE", "DELETE", "MERGE"].includes(result.command)) {
      return { numAffectedRows: BigInt(result.count), rows };
    }
    return { rows };
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const cursor = (this.#reserved ?? this.pool)
      .unsafe(query.sql, query.parameters.slice() as never[])
      .cursor(chunkSize);
    for await (const rows of cursor) yield { rows: rows as R[] };
  }

  async begin(settings: TransactionSettings): Promise<void> {
    this.#reserved = await this.pool.reserve();
    const modes = [
      settings.isolationLevel && `isolation level ${settings.isolationLevel}`,
      settings.accessMode,
    ].filter(Boolean);
    await this.executeQuery(CompiledQuery.raw(`start transaction ${modes.join(", ")}`.trim()));
  }

  release(): void {
    this.#reserved?.release();
    this.#reserved = null;
  }
}

class PostgresJsDriver implements Driver {
  constructor(private readonly pool: Sql) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PostgresJsConnection(this.pool);
  }
  async beginTransaction(connection: PostgresJsConnection, settings: TransactionSettings): Promise<void> {
    await connection.begin(settings);
  }
  async commitTransaction(connection: PostgresJsConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }
  async rollbackTransaction(connection: PostgresJsConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }
  async releaseConnection(connection: PostgresJsConnection): Promise<void> {
    connection.release();
  }
  async destroy(): Promise<void> {
    await this.pool.end({ timeout: 2 });
  }
}

export class PostgresJsDialect implements Dialect {
  constructor(private readonly pool: Sql) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PostgresJsDriver(this.pool);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
