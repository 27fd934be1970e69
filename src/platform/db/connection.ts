import { Kysely } from "kysely";
import postgres from "postgres";
import { PostgresJsDialect } from "./dialect.js";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;

/** PostgreSQL LISTEN: a NOTIFY sent in a transaction arrives at every process once it commits. */
export interface Notifications {
  /**
   * Calls onNotify for each notification on channel; the returned function stops listening.
   * onListen runs each time listening (re)starts: after a lost connection is re-established,
   * notifications sent in between were missed.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListen?: () => void,
  ): Promise<() => Promise<void>>;
}

export interface DbHandle {
  db: Db;
  notifications: Notifications;
  close(): Promise<void>;
  /** `SELECT 1` within a deadline, for `/ready`. */
  ping(timeoutMs?: number): Promise<boolean>;
}

export function connect(url: string, options: { max?: number } = {}): DbHandle {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // Surface a dead server quickly instead of queueing requests behind it.
    connect_timeout: 5,
    connection: { application_name: "voltasis" },
  });
  const db = new Kysely<Database>({ dialect: new PostgresJsDialect(client) });
  return {
    db,
    notifications: {
      async listen(channel, onNotify, onListen) {
        // postgres.js keeps one extra connection for all of this process's channels.
        const subscription = await client.listen(channel, onNotify, onListen);
        return () => subscription.unlisten();
      },
    },
    close: () => db.destroy(),
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const query = client`SELECT 1`.then(
        () => true,
        () => false,
      );
      const result = await Promise.race([query, deadline]);
      clearTimeout(timer);
      return result;
    },
  };
}
