import {
  type CompiledQuery,
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
import type { Sql, TransactionSql } from "postgres";
import { isConnectionLost } from "./driver-guard.js";

/**
 * Kysely over postgres.js, written for the hot path:
 * - parameterised queries are prepared once per connection (kysely-postgres-js sends them
 *   unprepared, so PostgreSQL plans every credential lookup and list page again: ~1 ms each);
 * - a plain query runs on the pool; only a transaction holds a connection for its span.
 *
 * A transaction runs inside postgres.js's own `begin()`, kept open until Kysely commits or rolls
 * back, rather than on a `reserve()`d connection: when the server goes away, a reserved connection
 * leaks from the pool or is put back dead and hangs every later query (porsager/postgres#1199,
 * #1208; seen in test/process/database-faults.test.ts), while `begin()` hands a dropped
 * connection back to the pool as closed and rejects the transaction.
 */
interface OpenTransaction {
  sql: TransactionSql;
  /** Rejects as soon as the connection drops; never resolves. */
  dropped: Promise<never>;
  /** Settles when the transaction has ended: COMMIT (true) or ROLLBACK (false) done, or failed. */
  end(commit: boolean): Promise<void>;
  /** The connection dropped: PostgreSQL rolled the transaction back itself. */
  lost: boolean;
}

/** Thrown into postgres.js's begin() callback to make it roll back. */
const ROLLBACK = Symbol("rollback");

class PostgresJsConnection implements DatabaseConnection {
  #transaction: OpenTransaction | null = null;

  constructor(private readonly pool: Sql) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const params = query.parameters.slice() as never[];
    const transaction = this.#transaction;
    // Parameterless text may hold several statements (migrations): that needs the simple protocol.
    // A claim's values are written into its text (queue-claim.ts): nothing to prepare there either.
    const prepare = params.length > 0;
    const pending = (transaction?.sql ?? this.pool).unsafe(query.sql, params, { prepare });
    // A query sent on a connection that has just dropped may never settle (#1208): the
    // transaction's end says so instead.
    const result = await (transaction ? Promise.race([pending, transaction.dropped]) : pending).catch(
      (error: unknown) => {
        if (transaction && isConnectionLost(error)) transaction.lost = true;
        throw error;
      },
    );
    const rows = Array.from(result.values()) as R[];
    if (["INSERT", "UPDATE", "DELETE", "MERGE"].includes(result.command)) {
      return { numAffectedRows: BigInt(result.count), rows };
    }
    return { rows };
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const cursor = (this.#transaction?.sql ?? this.pool)
      .unsafe(query.sql, query.parameters.slice() as never[])
      .cursor(chunkSize);
    for await (const rows of cursor) yield { rows: rows as R[] };
  }

  async begin(settings: TransactionSettings): Promise<void> {
    const modes = [
      settings.isolationLevel && `isolation level ${settings.isolationLevel}`,
      settings.accessMode,
    ].filter(Boolean);
    let decide: (commit: boolean) => void = () => {};
    const decision = new Promise<boolean>((resolve) => {
      decide = resolve;
    });
    let started: (sql: TransactionSql) => void = () => {};
    let failed: (error: unknown) => void = () => {};
    const opened = new Promise<TransactionSql>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    const ended = this.pool.begin(modes.join(" "), async (sql) => {
      started(sql);
      if (!(await decision)) throw ROLLBACK;
    });
    ended.catch(failed); // BEGIN itself failed (no connection): `opened` says so
    const dropped = ended.then(
      () => new Promise<never>(() => {}),
      (error: unknown) => {
        throw error;
      },
    );
    dropped.catch(() => {}); // only ever awaited alongside a query
    const transaction: OpenTransaction = {
      sql: await opened,
      dropped,
      lost: false,
      async end(commit) {
        decide(commit);
        await ended.catch((error: unknown) => {
          if (error === ROLLBACK) return;
          if (isConnectionLost(error)) transaction.lost = true;
          throw error;
        });
      },
    };
    this.#transaction = transaction;
  }

  async commit(): Promise<void> {
    await this.#transaction?.end(true);
  }

  async rollback(): Promise<void> {
    const transaction = this.#transaction;
    // Nothing to roll back on a dropped connection, and the callback is left waiting: a ROLLBACK
    // that postgres.js sent there now might reach whoever the pool gave the connection to next.
    if (!transaction || transaction.lost) return;
    await transaction.end(false);
  }

  release(): void {
    this.#transaction = null;
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
    await connection.commit();
  }
  async rollbackTransaction(connection: PostgresJsConnection): Promise<void> {
    await connection.rollback();
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
