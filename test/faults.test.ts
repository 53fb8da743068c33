/**
 * Faults, small: the worker is killed mid-case and the API mid-request, each started again; every
 * case finishes its steps with every action applied once, a complete and verified ledger, and no mail
 * delivered twice. (`npm run faults` is the large run: every component, once and in a loop.)
 * The processes are the built entry points, so the test builds the project first.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { runFaults } from '../bench/faults';
import { startStack, type Stack } from '../bench/lib/stack';

jest.setTimeout(300_000);

let stack: Stack | undefined;
beforeAll(async () => {
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  stack = await startStack();
});
afterAll(async () => stack?.stop());

test('When the worker is killed mid-case and the API mid-request, then every case answers with each action once, its ledger complete, and no mail twice', async () => {
  const report = await runFaults(stack!, { cases: 6, concurrency: 3, once: ['worker', 'api'], loopSeconds: 0, downMs: 1_500 });

  expect(report.kills).toEqual({ worker: 1, api: 1 });
  expect(report.checks.problems).toEqual([]);
  expect(report.checks).toMatchObject({ answered: 6, complete: 6, ledgersVerified: 6, duplicateMails: 0 });
  expect(report.checks.mails).toBeGreaterThan(0);
  // the faults did cut requests short: the clients had to retry
  expect(report.retried).toBeGreaterThan(0);
});
