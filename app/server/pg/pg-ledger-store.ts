import type { Pool } from 'pg';
import { parseJobRecord, type JobRecord } from '../../ledger/job-record';
import { isUnfinished, LedgerConflictError, type LedgerStore } from '../../ledger/ledger-store';
import { migrate } from './migrations';

/** A row whose record is not a job record (kept in the table for a person to look at). */
export interface UnreadableLedgerRow {
  jobId: string;
  problem: string;
}

export interface PgLedgerStoreOptions {
  /** Told about each row that cannot be read (once per row and problem); such rows are skipped. */
  onUnreadable?: (row: UnreadableLedgerRow) => void;
}

const COLUMNS = 'job_id, rev, cache_key, endpoint, state, unfinished, owner_id, lease_until, record, created_at, updated_at';
/** Wall ms (the record's clock) as timestamptz: exact to the microsecond. */
const ts = (n: number) => `to_timestamp($${n}::float8 / 1000)`;
const VALUES = `$1, $2::int, $3, $4, $5, $6, $7, ${ts(8)}, $9::jsonb, ${ts(10)}, ${ts(11)}`;

const INSERT = `INSERT INTO job_ledger (${COLUMNS}) VALUES (${VALUES}) ON CONFLICT (job_id) DO NOTHING`;
const UPDATE = `UPDATE job_ledger SET (${COLUMNS}) = (${VALUES}) WHERE job_id = $1 AND rev = $2::int - 1`;
const NEWEST_FIRST = 'ORDER BY created_at DESC, job_id DESC';
const OLDEST_FIRST = 'ORDER BY created_at ASC, job_id ASC';

interface Row {
  job_id: string;
  rev: number;
  record: unknown;
}

/**
 * The job ledger in PostgreSQL (`job_ledger`), shared by every worker of a queue. A `put` is one
 * autocommitted statement whose WHERE clause is the revision check, so two processes writing
 * from the same copy cannot both win (the loser gets {@link LedgerConflictError}), and it
 * resolves only once committed (sessions from `createPgPool` commit synchronously). The record
 * is the jsonb column; the other columns are copies for queries. Rows are validated on read: a
 * bad one is reported and skipped, never thrown through.
 */
export class PgLedgerStore implements LedgerStore {
  private readonly reported = new Set<string>();

  constructor(
    readonly pool: Pool,
    private readonly options: PgLedgerStoreOptions = {},
  ) {}

  /** Brings the schema up to date (safe when many workers start at once), then returns the store. */
  static async open(pool: Pool, options: PgLedgerStoreOptions = {}): Promise<PgLedgerStore> {
    await migrate(pool);
    return new PgLedgerStore(pool, options);
  }

  async put(record: JobRecord): Promise<void> {
    const parsed = parseJobRecord(record);
    if (!parsed.ok) throw new Error(`Refusing to write job ${record.jobId} to the ledger: it is not a valid job record (${parsed.problem}).`);
    const r = parsed.record;
    const params = [
      r.jobId,
      r.rev,
      r.cacheKey,
      r.endpoint,
      r.state,
      isUnfinished(r),
      r.owner?.id ?? null,
      r.owner?.leaseUntil ?? null,
      JSON.stringify(r),
      r.createdAt,
      r.updatedAt,
    ];
    const result = await this.pool.query(r.rev === 0 ? INSERT : UPDATE, params);
    if (result.rowCount === 1) return;
    // Not written: someone else's copy is newer. Its revision is read only for the message.
    const now = await this.pool.query<{ rev: number }>('SELECT rev FROM job_ledger WHERE job_id = $1', [r.jobId]);
    throw new LedgerConflictError(r.jobId, r.rev - 1, now.rows[0]?.rev);
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    return (await this.select('WHERE job_id = $1', [jobId]))[0];
  }

  async byCacheKey(cacheKey: string): Promise<JobRecord[]> {
    return this.select(`WHERE cache_key = $1 ${NEWEST_FIRST}`, [cacheKey]);
  }

  async unfinished(): Promise<JobRecord[]> {
    return this.select(`WHERE unfinished ${OLDEST_FIRST}`, []);
  }

  async list(): Promise<JobRecord[]> {
    return this.select(NEWEST_FIRST, []);
  }

  /** See LedgerStore.blocked: answered by the database, not by reading every record. */
  async blocked(endpoint: string): Promise<JobRecord[]> {
    return this.select(
      `WHERE endpoint = $1 AND state IN ('unknown-submission', 'outputs-expired', 'lost')
         AND NOT (record ? 'supersededBy') AND COALESCE((record->>'dismissed')::boolean, false) = false ${NEWEST_FIRST}`,
      [endpoint],
    );
  }

  /**
   * Unfinished records nobody is known to follow at wall time `now`: no owner, or an owner whose
   * lease ran out. Oldest first. A worker takes one over by writing it with itself as owner
   * (`JobLedger.recover` does): the revision check lets exactly one of several claimants win.
   * Same-host liveness (a pid) is the caller's to check; this reads leases only.
   */
  async expiredLeases(now: number, options: { endpoint?: string; limit?: number } = {}): Promise<JobRecord[]> {
    const params: unknown[] = [now];
    let where = `WHERE unfinished AND (owner_id IS NULL OR lease_until <= ${ts(1)})`;
    if (options.endpoint !== undefined) {
      params.push(options.endpoint);
      where += ` AND endpoint = $${params.length}`;
    }
    params.push(options.limit ?? 1000);
    return this.select(`${where} ${OLDEST_FIRST} LIMIT $${params.length}`, params);
  }

  private async select(tail: string, params: unknown[]): Promise<JobRecord[]> {
    const { rows } = await this.pool.query<Row>(`SELECT job_id, rev, record FROM job_ledger ${tail}`, params);
    const records: JobRecord[] = [];
    for (const row of rows) {
      const parsed = parseJobRecord(row.record);
      if (!parsed.ok) this.report(row.job_id, parsed.problem);
      else if (parsed.record.jobId !== row.job_id || parsed.record.rev !== row.rev)
        this.report(row.job_id, `the record says job ${parsed.record.jobId} revision ${parsed.record.rev}, its row job ${row.job_id} revision ${row.rev}`);
      else records.push(parsed.record);
    }
    return records;
  }

  private report(jobId: string, problem: string): void {
    const key = `${jobId}\n${problem}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.options.onUnreadable?.({ jobId, problem });
  }
}
