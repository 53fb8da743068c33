/**
 * The production path, run here: the Temporal server built from go.temporal.io/server at the version
 * docker-compose.yml runs, on PostgreSQL (persistence and visibility) with several history shards,
 * configured by deploy/temporal/production.yaml; two worker processes and two API processes of the built
 * entry points. Cases are driven through both APIs, and one worker is killed for good mid-case: the other
 * carries every case on, each action once, every ledger complete, no mail twice. (`npm run
 * test:production` runs the end-to-end test against the same server; `npm run faults -- --production`
 * kills every component of it.)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { runFaults } from '../bench/faults';
import { startStack, type Stack } from '../bench/lib/stack';

jest.setTimeout(420_000);

let stack: Stack | undefined;
beforeAll(async () => {
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  stack = await startStack({ temporal: 'production', workers: 2, apis: 2 });
}, 420_000);
afterAll(async () => stack?.stop());

test('When the server runs, then it is the production server on PostgreSQL with more than one history shard', async () => {
  const connection = await Connection.connect({ address: stack!.temporalAddress });
  try {
    const info = await connection.workflowService.getClusterInfo({});
    const composeVersion = /temporalio\/server:(\S+)/.exec(fs.readFileSync(path.join(__dirname, '..', 'docker-compose.yml'), 'utf8'))?.[1];
    expect(info.serverVersion).toBe(composeVersion);
    expect(info.persistenceStore).toBe('postgres12');
    expect(info.visibilityStore).toBe('postgres12');
    expect(info.historyShardCount).toBeGreaterThan(1);
  } finally {
    await connection.close();
  }
});

test('When one of two workers is killed mid-case and stays down, then the other carries every case on: each action once, every ledger complete, no mail twice', async () => {
  const report = await runFaults(stack!, { cases: 6, concurrency: 3, once: [], killForGood: ['worker'], loopSeconds: 0, downMs: 0 });

  expect(report.kills).toEqual({ worker: 1 });
  expect(stack!.pid('worker')).toBeUndefined();
  expect(report.checks.problems).toEqual([]);
  expect(report.checks).toMatchObject({ answered: 6, complete: 6, ledgersVerified: 6, duplicateMails: 0 });
  expect(report.checks.mails).toBeGreaterThan(0);
});
