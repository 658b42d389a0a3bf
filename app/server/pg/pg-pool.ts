import pg from 'pg';

export interface PgPoolOptions {
  /** Connections at most (default 10). */
  max?: number;
  /** Shown in `pg_stat_activity` (default `sequence-studio`). */
  applicationName?: string;
  /** How long to wait for a connection before failing (default 10 s). */
  connectTimeoutMs?: number;
  /** Called when an idle connection breaks (the server restarted, the network dropped). */
  onError?: (e: Error) => void;
}

/**
 * A connection pool for the PostgreSQL stores. Every session runs with `synchronous_commit = on`
 * whatever the server's default, because a committed intent must survive a server crash before
 * its submit is sent. An idle connection that breaks is reported, not thrown: an unhandled pool
 * error would end the process.
 */
export function createPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'sequence-studio',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    options: '-c synchronous_commit=on',
  });
  pool.on('error', (e) => options.onError?.(e));
  return pool;
}
