/**
 * `npm run ledger:verify [-- <caseId>] [--against-temporal] [--json]`: recomputes the audit ledger's
 * hash chains and prints one line per case. With --against-temporal it also asks each case (through
 * Temporal, with the payload keys) how many timeline entries it has, and names the entries missing at
 * the end of its ledger. Exit code 0 when every chain holds and is complete, 1 otherwise, 2 on an
 * error. It only reads: a store without a ledger table reports that and exits 0.
 */
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { openDb } from './db';
import type { LedgerVerification } from './ledger';
import { verifyLedger } from './recordSystem';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createPayloadCodec } from '../../common/codec';
import { connectClient, temporalTarget } from '../../common/temporal';
import { getCaseQuery } from '../../workflows/messages';

/**
 * Every chain that verifies must also hold every entry of its case's timeline: a chain shorter than
 * the timeline is incomplete, and the entries missing at its end are named. `timelineLength` answers
 * undefined for a case Temporal does not know (no longer kept, or never started there).
 */
export async function checkCompleteness(results: readonly LedgerVerification[], timelineLength: (caseId: string) => Promise<number | undefined>): Promise<LedgerVerification[]> {
  const out: LedgerVerification[] = [];
  for (const r of results) {
    const length = r.ok ? await timelineLength(r.caseId) : undefined;
    if (length === undefined || r.entries >= length) out.push(r);
    else out.push({ ...r, ok: false, firstBrokenSeq: r.entries, problem: `incomplete: the case has ${length} timeline entries, the ledger ${r.entries} (entries ${r.entries}–${length - 1} missing at the end)` });
  }
  return out;
}

export function formatVerification(results: readonly LedgerVerification[]): string {
  const width = Math.max(8, ...results.map((r) => r.caseId.length));
  const lines = results.map((r) =>
    r.ok
      ? `${r.caseId.padEnd(width)}  ok      ${r.entries} entries${r.head ? `  head ${r.head}` : ''}`
      : `${r.caseId.padEnd(width)}  BROKEN  at entry ${r.firstBrokenSeq}: ${r.problem}`,
  );
  const broken = results.filter((r) => !r.ok).length;
  lines.push(`${results.length} case${results.length === 1 ? '' : 's'} checked, ${broken} broken`);
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const caseId = argv.find((a) => !a.startsWith('--'));
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'ledger-verify');
  const db = await openDb(config, logger);
  try {
    const { rows } = await db.query<{ present: boolean }>(`SELECT to_regclass('ledger') IS NOT NULL AS present`);
    if (!rows[0]?.present) {
      process.stdout.write(json ? '[]\n' : 'The record store has no ledger yet: nothing to verify.\n');
      return 0;
    }
    let results = await verifyLedger(db, caseId);
    if (argv.includes('--against-temporal')) {
      const client = await connectClient(temporalTarget(config), { payloadCodecs: [createPayloadCodec(config, logger)] });
      try {
        results = await checkCompleteness(results, (id) =>
          client.workflow
            .getHandle(id)
            .query(getCaseQuery)
            .then((s) => s.timeline.length)
            .catch((err: unknown) => {
              if (err instanceof WorkflowNotFoundError) return undefined;
              throw err;
            }),
        );
      } finally {
        await client.connection.close();
      }
    }
    process.stdout.write(json ? `${JSON.stringify(results, null, 2)}\n` : `${formatVerification(results)}\n`);
    return results.every((r) => r.ok) ? 0 : 1;
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
      process.stderr.write(`ledger verification failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
