import type { Pool, PoolClient } from 'pg';

/** One named, versioned schema step. Applied steps are never edited: a change is a new step. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Rows the ledger reads while a job may still need work (mirrors `isUnfinished`, kept as a column). */
const JOB_LEDGER = `
CREATE TABLE job_ledger (
  job_id      text COLLATE "C" PRIMARY KEY,
  rev         integer NOT NULL CHECK (rev >= 0),
  cache_key   text COLLATE "C" NOT NULL,
  endpoint    text NOT NULL,
  state       text NOT NULL,
  unfinished  boolean NOT NULL,
  owner_id    text,
  lease_until timestamptz,
  record      jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX job_ledger_cache_key ON job_ledger (cache_key, created_at DESC, job_id DESC);
CREATE INDEX job_ledger_unfinished ON job_ledger (created_at, job_id) WHERE unfinished;
CREATE INDEX job_ledger_lease ON job_ledger (lease_until) WHERE unfinished;
CREATE INDEX job_ledger_created ON job_ledger (created_at DESC, job_id DESC);
`;

const ASSETS = `
CREATE TABLE assets (
  asset_id   text COLLATE "C" PRIMARY KEY CHECK (asset_id ~ '^[0-9a-f]{64}$'),
  mime       text NOT NULL CHECK (mime IN ('image/png', 'image/jpeg', 'image/webp')),
  width      integer NOT NULL CHECK (width > 0),
  height     integer NOT NULL CHECK (height > 0),
  bytes      bytea NOT NULL CHECK (octet_length(bytes) <= 67108864),
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

/**
 * Batches through the queue (pg-boss delivers the rows; these tables say what became of them).
 * `batch_rows` is the one record of each row: workers claim it with an attempt token, renew its
 * lease while they run it, and write its outcome only while their token is current; every
 * worker's supervisor hands rows whose lease ran out back to the queue. `batch_spend` holds one
 * reservation per paid job under the batch's cap (`batches.spent_usd/reserved_usd` are their
 * sums, updated in the same statement). `work_locks` makes "look up, then write the intent" one
 * step per piece of work across machines, so two rows sharing a paid stage pay for it once.
 */
const BATCH_QUEUE = `
CREATE TABLE batches (
  batch_id          text COLLATE "C" PRIMARY KEY,
  queue             text NOT NULL,
  endpoint          text NOT NULL,
  origin            text NOT NULL,
  mode              text NOT NULL,
  cap_usd           double precision CHECK (cap_usd >= 0),
  spent_usd         double precision NOT NULL DEFAULT 0,
  reserved_usd      double precision NOT NULL DEFAULT 0,
  repay_job_ids     text[] NOT NULL DEFAULT '{}',
  stop_requested_at timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE batch_rows (
  batch_id      text COLLATE "C" NOT NULL REFERENCES batches ON DELETE CASCADE,
  row_id        text COLLATE "C" NOT NULL,
  line          integer NOT NULL CHECK (line >= 1),
  fingerprint   text NOT NULL,
  workflow      jsonb NOT NULL,
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'orphaned', 'succeeded', 'failed', 'interrupted')),
  boss_job_id   uuid,
  attempt_token text,
  attempts      integer NOT NULL DEFAULT 0,
  takeovers     integer NOT NULL DEFAULT 0,
  worker_id     text,
  lease_until   timestamptz,
  job_ids       text[] NOT NULL DEFAULT '{}',
  request_ids   text[] NOT NULL DEFAULT '{}',
  cost_usd      double precision NOT NULL DEFAULT 0,
  saves         jsonb NOT NULL DEFAULT '[]',
  manifest      jsonb,
  error         jsonb,
  note          text,
  started_at    timestamptz,
  finished_at   timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, row_id)
);
CREATE INDEX batch_rows_lease ON batch_rows (lease_until) WHERE status = 'running';
CREATE INDEX batch_rows_token ON batch_rows (attempt_token) WHERE attempt_token IS NOT NULL;
CREATE TABLE batch_spend (
  reservation_id text COLLATE "C" PRIMARY KEY,
  batch_id       text COLLATE "C" NOT NULL REFERENCES batches ON DELETE CASCADE,
  row_id         text COLLATE "C" NOT NULL,
  attempt_token  text NOT NULL,
  max_usd        double precision NOT NULL CHECK (max_usd >= 0),
  cost_usd       double precision,
  settled_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batch_spend_open ON batch_spend (attempt_token) WHERE settled_at IS NULL;
CREATE INDEX batch_spend_row ON batch_spend (batch_id, row_id);
CREATE TABLE work_locks (
  lock_key    text COLLATE "C" PRIMARY KEY,
  holder      text NOT NULL,
  lease_until timestamptz NOT NULL
);
`;

/** Sequence Studio's schema, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'job-ledger', sql: JOB_LEDGER },
  { version: 2, name: 'assets', sql: ASSETS },
  { version: 3, name: 'batch-queue', sql: BATCH_QUEUE },
];

/** The key of the advisory lock that serialises migrations across processes ("sequence-studio" schema). */
export const MIGRATION_LOCK: readonly [number, number] = [0x53455153, 1];

export interface MigrationReport {
  /** Steps applied now (empty when the schema was already current). */
  applied: string[];
  /** The schema's version afterwards. */
  version: number;
}

/**
 * Brings the schema up to date: every missing step in one transaction, under a transaction-level
 * advisory lock, so workers starting at once apply each step exactly once (the others wait, then
 * find nothing to do). Refuses a database migrated by a newer build or whose steps have other
 * names: this build would misread its rows.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Map(
      (await client.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations')).rows.map((r) => [r.version, r.name]),
    );
    check(done, migrations);
    const applied = await applyMissing(client, done, migrations);
    await client.query('COMMIT');
    return { applied, version: Math.max(0, ...done.keys(), ...migrations.map((m) => m.version)) };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

function check(done: Map<number, string>, migrations: readonly Migration[]): void {
  const known = new Map(migrations.map((m) => [m.version, m.name]));
  for (const [version, name] of done) {
    const ours = known.get(version);
    if (ours === undefined) {
      throw new Error(
        `The database schema has step ${version} ("${name}"), which this build does not know (it knows up to ${Math.max(0, ...known.keys())}): upgrade this program before pointing it at that database.`,
      );
    }
    if (ours !== name) throw new Error(`The database's schema step ${version} is "${name}" but this build's is "${ours}": they are different schemas.`);
  }
}

async function applyMissing(client: PoolClient, done: Map<number, string>, migrations: readonly Migration[]): Promise<string[]> {
  const applied: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    await client.query(m.sql);
    await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    applied.push(`${m.version}-${m.name}`);
  }
  return applied;
}
