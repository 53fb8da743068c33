/**
 * `npm run ledger:verify [-- <caseId>] [--json]`: recomputes the audit ledger's hash chains and
 * prints one line per case. Exit code 0 when every chain holds, 1 when one is broken, 2 on an error.
 * It only reads: a store without a ledger table reports that and exits 0.
 */
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { openDb } from './db';
import type { LedgerVerification } from './ledger';
import { verifyLedger } from './recordSystem';

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
    const results = await verifyLedger(db, caseId);
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
