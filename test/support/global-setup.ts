/**
 * Starts ONE Temporal dev server (headless, SQLite in a temporary folder, every case search attribute
 * registered) for the whole test run and publishes its address as TEMPORAL_TEST_ADDRESS, which the
 * test files read (test/support/temporal.ts `testServerAddress()`).
 * When TEMPORAL_TEST_ADDRESS is already set, that server is used instead and only the search
 * attributes (and the isolated namespace) are registered on it.
 * Besides "default" the server has ISOLATED_NAMESPACE, for a test whose listings must meet only its
 * own cases (test/support/temporal.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { devServerArgs, freePort, stopChild, waitForTemporal } from '../../scripts/dev-server';
import { registerSearchAttributes } from '../../scripts/register-search-attributes';
import { resolveTemporalCli } from '../../scripts/tools';
import { ISOLATED_NAMESPACE, TEST_SERVER_KEY, type TestServerHandle } from './test-server-handle';

const NAMESPACE = 'default';
const READY_TIMEOUT_MS = 60_000;

export default async function globalSetup(): Promise<void> {
  const external = process.env.TEMPORAL_TEST_ADDRESS;
  if (external) {
    await waitForTemporal({ connection: { address: external }, namespace: NAMESPACE, timeoutMs: READY_TIMEOUT_MS });
    const connection = await Connection.connect({ address: external });
    try {
      await registerSearchAttributes(connection, NAMESPACE);
      const known = await connection.workflowService.describeNamespace({ namespace: ISOLATED_NAMESPACE }).then(() => true, () => false);
      if (!known) await connection.workflowService.registerNamespace({ namespace: ISOLATED_NAMESPACE, workflowExecutionRetentionPeriod: msToTs('1 day') });
      await waitForTemporal({ connection: { address: external }, namespace: ISOLATED_NAMESPACE, timeoutMs: READY_TIMEOUT_MS });
      await registerSearchAttributes(connection, ISOLATED_NAMESPACE);
    } finally {
      await connection.close();
    }
    return;
  }

  const cli = resolveTemporalCli();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-test-temporal-'));
  const logFile = path.join(dir, 'server.log');
  const port = await freePort();
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    cli,
    [...devServerArgs({ port, namespace: NAMESPACE, dbFilename: path.join(dir, 'temporal.db'), headless: true }), '--namespace', ISOLATED_NAMESPACE],
    { stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  const address = `127.0.0.1:${port}`;
  const handle: TestServerHandle = { pid: child.pid, child, dir };
  (globalThis as Record<string, unknown>)[TEST_SERVER_KEY] = handle;
  try {
    await waitForTemporal({ connection: { address }, namespace: NAMESPACE, timeoutMs: READY_TIMEOUT_MS, child });
    await waitForTemporal({ connection: { address }, namespace: ISOLATED_NAMESPACE, timeoutMs: READY_TIMEOUT_MS, child });
    const connection = await Connection.connect({ address });
    try {
      await registerSearchAttributes(connection, ISOLATED_NAMESPACE);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stopChild(child, 5_000);
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-4000) : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nTemporal dev server log (${logFile}):\n${log}`);
  }
  process.env.TEMPORAL_TEST_ADDRESS = address;
}
