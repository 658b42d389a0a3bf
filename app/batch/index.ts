/**
 * Batch runs, isomorphic: rows from CSV/TSV/JSONL, each row resolved into a workflow like
 * `--set`, every row checked (dry run, nothing paid) before the first submit, a spend cap in
 * front of the job ledger, and a runner emitting typed events folded into `batch.json`. No Node
 * APIs and no React: the CLI (app/server/batch) and the editor's Batch dialog both build on it.
 */
export {
  formatOfName,
  idProblem,
  ID_COLUMN,
  MAX_ROWS,
  parseRows,
  sniffFormat,
  type BatchProblem,
  type BatchRow,
  type CellValue,
  type RowsFormat,
  type RowsTable,
} from './rows';
export {
  coerceValue,
  planColumns,
  resolveRow,
  type AssignedValue,
  type ColumnPlan,
  type ColumnTarget,
  type ImageResolver,
  type ResolvedRow,
} from './resolve-row';
export { checkResolvedRow, checkRows, rowFingerprint, type CheckedRow, type CheckRowsOptions, type DryRunDeps } from './validate-rows';
export { batchMaxUsd, DONE_COST, estimateRowCost, memoizePrice, type RowCost } from './batch-cost';
export {
  MemorySpendBook,
  SpendCap,
  SpendCapError,
  type RowGeneration,
  type SpendBook,
  type SpendCapOptions,
  type SpendLedger,
  type SpendState,
} from './spend-cap';
export {
  BATCH_SUMMARY_VERSION,
  doneRows,
  parseBatchSummary,
  reduceBatch,
  withTotals,
  zBatchRowStatus,
  zBatchRowSummary,
  zBatchSummary,
  zBatchTotals,
  type BatchEvent,
  type BatchRowStatus,
  type BatchRowSummary,
  type BatchSummary,
  type BatchTotals,
} from './batch-summary';
export { runBatch, type BatchGeneration, type BatchRunResult, type BatchRunRow, type RowOutput, type RunBatchOptions } from './run-batch';
export { eachLimit } from './pool';
