/**
 * `npm run records:erase -- <caseId> [--reason <text>] [--by <name>] [--json]`: erases the personal
 * data of a closed case whose retention period (its policy's `retention.years` after closing) has
 * ended. The case's data key is destroyed, its personal columns are cleared, an `erased` entry is
 * appended to its ledger chain and the erasure log records who, when and why; the chain is verified
 * afterwards. An open case, a case within retention and an unknown case are refused, and nothing changes.
 * Exit code 0 when erased, 1 when refused, 2 on an error. Stop `npm start` first when the record
 * store is the embedded one (it is single-process).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { PolicyRegistry } from '../domain/policies';
import { ErasureRefused, eraseCase, migrate, openDb, retentionFromPolicies, verifyLedger } from '../activities/records';

export const usage = 'usage: npm run records:erase -- <caseId> [--reason <text>] [--by <who erases>] [--json]';
export const defaultReason = 'retention period ended';

const operator = (): string => {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
};

/** Runs the command; returns its exit code. Writes its report to `out`, problems to `err`. */
type Write = (text: string) => unknown;

export async function runErase(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out: Write = (text) => process.stdout.write(text), err: Write = (text) => process.stderr.write(text)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { reason: { type: 'string' }, by: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  } catch (e) {
    err(`${(e as Error).message}\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(`${usage}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    err(`give exactly one case id\n${usage}\n`);
    return 2;
  }
  const caseId = positionals[0]!;
  const by = values.by ?? operator();
  const reason = values.reason ?? defaultReason;

  const config = loadConfig(env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'records-erase');
  const policies = PolicyRegistry.load(config.policyDir || undefined);
  const db = await openDb(config, logger);
  try {
    await migrate(db, logger);
    let result;
    try {
      result = await eraseCase(db, { caseId, by, reason, retentionYears: retentionFromPolicies(policies) });
    } catch (e) {
      if (!(e instanceof ErasureRefused)) throw e;
      if (values.json) out(`${JSON.stringify({ erased: false, caseId, refusal: e.refusal, message: e.message }, null, 2)}\n`);
      else err(`refused: ${e.message}\n`);
      return 1;
    }
    const [verification] = await verifyLedger(db, caseId);
    logger.info({ caseId, ledgerSeq: result.ledgerSeq, by: result.by }, 'case erased');
    if (values.json) {
      out(`${JSON.stringify({ erased: true, ...result, verification }, null, 2)}\n`);
    } else {
      const lines = [
        `case ${caseId} erased at ${result.erasedAt} by ${result.by} (${result.reason})`,
        `  closed ${result.closedAt}, kept ${result.retentionYears} years under ${result.policyVersion} (until ${result.retentionEndedAt})`,
        '  its data key is destroyed and its personal columns are cleared',
        `  ledger entry ${result.ledgerSeq} "erased" appended; chain ${verification?.ok ? `ok, ${verification.entries} entries, head ${verification.head}` : `BROKEN at entry ${verification?.firstBrokenSeq}: ${verification?.problem}`}`,
      ];
      if (result.plaintextLedgerEntries > 0) {
        lines.push(`  note: ${result.plaintextLedgerEntries} ledger entries were written before personal data was sealed and keep it in the clear`);
      }
      out(`${lines.join('\n')}\n`);
    }
    return verification?.ok ? 0 : 2;
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  runErase(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`erasure failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
