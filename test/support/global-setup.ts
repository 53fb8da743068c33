/**
 * Starts ONE Temporal dev server (headless, SQLite in a temporary folder, every case search attribute
 * registered) for the whole test run and publishes its address as TEMPORAL_TEST_ADDRESS, which the
 * test files read (test/support/temporal.ts `testServerAddress()`).
 * With TEMPORAL_TEST_SERVER=production it starts the production path's server instead: the Temporal
 * server built from go.temporal.io/server, its persistence and visibility in two fresh databases on
 * the PostgreSQL server of TEST_DATABASE_URL (`npm run test:production`).
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
import { ensureNamespace, setupTemporalSchema, startTemporalServer } from '../../scripts/temporal-server';
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

  if (process.env.TEMPORAL_TEST_SERVER === 'production') return startProductionServer();

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

async function startProductionServer(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEMPORAL_TEST_SERVER=production needs TEST_DATABASE_URL: the Temporal server keeps its databases on that PostgreSQL server');
  const u = new URL(url);
  const pg = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: `temporal_test_${Date.now().toString(36)}`,
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-test-temporal-'));
  const logFile = path.join(dir, 'server.log');
  setupTemporalSchema(pg);
  let server;
  try {
    server = await startTemporalServer({ pg, logFile });
    (globalThis as Record<string, unknown>)[TEST_SERVER_KEY] = { pid: server.child.pid, child: server.child, dir, databases: [pg.database, `${pg.database}_visibility`] } satisfies TestServerHandle;
    await ensureNamespace(server.address, NAMESPACE);
    await ensureNamespace(server.address, ISOLATED_NAMESPACE, 1);
  } catch (err) {
    if (server) await stopChild(server.child, 5_000);
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-4000) : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nTemporal server log (${logFile}):\n${log}`);
  }
  process.env.TEMPORAL_TEST_ADDRESS = server.address;
}
