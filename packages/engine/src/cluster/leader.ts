// One scheduler at a time across the cluster. In scale-out mode leadership is a PostgreSQL session
// advisory lock held on a connection of its own: when the leader's process dies, the server ends its
// session and the lock is free at once; the others try every checkMs, so one takes over within a
// second or two. A leader that loses its connection stops leading before anyone else can start.
import pg from "pg";
import { checkSchemaName } from "../store/postgres/db.ts";
import type { Leadership, LeadershipHandlers } from "./leadership.ts";

// The interface and the embedded deployment's leader live in leadership.ts, free of pg, so that a
// process that never scales out does not load the PostgreSQL driver.
export { type Leadership, type LeadershipHandlers, soleLeader } from "./leadership.ts";

export interface PgLeadershipOptions {
  url: string;
  schema: string;
  /** What is led; one lock per name. Default "scheduler". */
  name?: string;
  /** How often a follower tries, and a leader checks its connection. Default 1000 ms. */
  checkMs?: number;
  /** How long a check may wait for PostgreSQL before the leader gives up leading. Default max(2 × checkMs, 3 s). */
  queryTimeoutMs?: number;
  onError?(error: unknown): void;
}

export function pgLeadership(options: PgLeadershipOptions): Leadership {
  const schema = checkSchemaName(options.schema);
  const name = options.name ?? "scheduler";
  const checkMs = options.checkMs ?? 1000;
  const onError = options.onError ?? (() => {});
  const queryTimeoutMs = options.queryTimeoutMs ?? Math.max(2 * checkMs, 3000);
  let client: pg.Client | undefined;
  let leading = false;
  let terms = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let handlers: LeadershipHandlers | undefined;
  let running: Promise<void> = Promise.resolve();

  function drop(): void {
    const old = client;
    client = undefined;
    old?.end().catch(() => {});
    if (leading) {
      leading = false;
      handlers?.lost();
    }
  }

  async function check(): Promise<void> {
    try {
      if (!client) {
        // keepAlive and query_timeout: on a half-open connection (packets dropped, never reset) the check
        // would otherwise wait forever and this process would keep leading beside the next leader.
        const fresh = new pg.Client({
          connectionString: options.url,
          connectionTimeoutMillis: 5000,
          keepAlive: true,
          query_timeout: queryTimeoutMs,
        });
        fresh.on("error", () => {}); // seen by the next check's query
        client = fresh;
        await fresh.connect();
      }
      if (leading) {
        await client.query("SELECT 1");
        return;
      }
      const { rows } = await client.query("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok", [
        `hlconnect:${schema}`,
        `leader:${name}`,
      ]);
      if (rows[0].ok && !stopped) {
        leading = true;
        terms++;
        handlers?.gained();
      }
    } catch (error) {
      onError(error);
      drop();
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = check().finally(schedule);
    }, checkMs);
    timer.unref();
  }

  return {
    start(h) {
      handlers = h;
      running = check().finally(schedule);
    },
    get isLeader() {
      return leading;
    },
    get terms() {
      return terms;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => {});
      drop();
    },
  };
}
