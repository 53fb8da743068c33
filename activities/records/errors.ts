/**
 * Errors of the record system. Temporal reports an activity error under its class name; the worker
 * lists `recordsNonRetryableErrorTypes` as non-retryable, everything else is retried with backoff.
 */

/** A ledger entry with this case and sequence number exists with different content. Never retried. */
export class LedgerConflict extends Error {
  override name = 'LedgerConflict';
  constructor(
    message: string,
    readonly caseId: string,
    readonly seq: number,
  ) {
    super(message);
  }
}

/** An earlier entry of the case has not been recorded yet; retrying later succeeds once it has. */
export class LedgerOutOfOrder extends Error {
  override name = 'LedgerOutOfOrder';
  constructor(
    message: string,
    readonly caseId: string,
    readonly seq: number,
  ) {
    super(message);
  }
}

/** The input cannot be recorded as it is (bad date, unknown record type, a value the schema refuses). */
export class InvalidRecordInput extends Error {
  override name = 'InvalidRecordInput';
}

/** Error types the worker must not retry. */
export const recordsNonRetryableErrorTypes = ['LedgerConflict', 'InvalidRecordInput'] as const;
