/**
 * `npm run readmodel:rebuild [-- <caseId>…]`: writes the read-model snapshot (the inbox's tasks, the
 * case list's register columns) of every running case, or of the cases named, from its workflow's
 * state (the getCase query). For cases recorded before the read model existed, which get their first
 * snapshot only with their next reaction, and as the repair when the read model is in doubt. It never
 * goes back: each snapshot follows the last ledger entry recorded and is taken now, so one the case
 * writes later replaces it, and one of a later entry is kept. Exit code 0 when every case was
 * written or skipped, 1 when a case could not be asked (its worker does not answer), 2 on an error.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createRecordSystem, openDb, recordKeysOf, type Db } from '../activities/records';
import type { RecordSystem } from '../activities/types';
import { createPayloadCodec } from '../common/codec';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { connectClient, temporalTarget } from '../common/temporal';
import type { CaseState } from '../domain/case';
import { registerOf, snapshotOf } from '../workflows/case/read-model';
import { caseWorkflowType, getCaseQuery } from '../workflows/messages';

export interface RebuildResult {
  written: string[];
  /** Not in the register yet (no ledger entry): the first entry brings the snapshot. */
  unregistered: string[];
  failed: { caseId: string; error: string }[];
}

export async function rebuildReadModel(client: Client, db: Db, records: Pick<RecordSystem, 'recordReaction'>, options: { caseIds?: string[]; queryTimeoutMs?: number; now?: () => Date } = {}): Promise<RebuildResult> {
  const result: RebuildResult = { written: [], unregistered: [], failed: [] };
  const now = options.now ?? (() => new Date());
  const ids = options.caseIds ?? [];
  if (!options.caseIds) {
    for await (const info of client.workflow.list({ query: `WorkflowType = '${caseWorkflowType}' AND ExecutionStatus = 'Running'` })) ids.push(info.workflowId);
  }
  for (const caseId of ids) {
    let state: CaseState;
    try {
      state = await client.withDeadline(Date.now() + (options.queryTimeoutMs ?? 10_000), () => client.workflow.getHandle(caseId).query(getCaseQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) continue;
      result.failed.push({ caseId, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const registered = (await db.query<{ last_seq: number }>('SELECT last_seq FROM cases WHERE case_id = $1', [caseId])).rows[0];
    if (!registered) {
      result.unregistered.push(caseId);
      continue;
    }
    // after the last entry the ledger holds: a batch still on its way follows a later one and wins
    await records.recordReaction({ caseId, events: [], register: registerOf(state), snapshot: snapshotOf(state, Math.min(registered.last_seq, state.timeline.length - 1), now().toISOString()) });
    result.written.push(caseId);
  }
  return result;
}

async function main(argv: readonly string[]): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'readmodel-rebuild');
  const db = await openDb(config, logger);
  try {
    const records = createRecordSystem(db, logger, recordKeysOf(config, logger));
    const client = await connectClient(temporalTarget(config), { payloadCodecs: [createPayloadCodec(config, logger)] });
    try {
      const caseIds = argv.filter((a) => !a.startsWith('--'));
      const r = await rebuildReadModel(client, db, records, caseIds.length ? { caseIds } : {});
      for (const f of r.failed) process.stdout.write(`${f.caseId}  NOT ASKED  ${f.error}\n`);
      process.stdout.write(`${r.written.length} snapshots written, ${r.unregistered.length} cases not registered yet, ${r.failed.length} not asked\n`);
      return r.failed.length ? 1 : 0;
    } finally {
      await client.connection.close();
    }
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`read-model rebuild failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
