/**
 * Everything the benchmarks run against, in this process: a Temporal dev server (started here unless
 * TEMPORAL_ADDRESS is set), the record store (DATABASE_URL, else the embedded store in a temporary
 * folder), the case worker and the HTTP API on a free port of 127.0.0.1. Payloads are encrypted as in
 * production, with one key made for the run (or PAYLOAD_KEYS) that every client and worker shares.
 */
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { openRecords, type Db, type RecordStore } from '../../activities/records';
import { buildApp } from '../../api/app';
import { createTemporalGateway } from '../../api/gateway';
import { createReadModel } from '../../api/read-model';
import { readRegistry } from '../../activities/records/registry';
import { cachedRegistry } from '../../api/registry';
import { createPayloadCodec } from '../../common/codec';
import { loadConfig, type Config } from '../../common/config';
import { generatePayloadKey } from '../../common/payload-keys';
import { createLogger } from '../../common/logger';
import { connectClient, temporalTarget } from '../../common/temporal';
import { PolicyRegistry } from '../../domain/policies';
import { devServerArgs, freePort, stopChild, waitForTemporal } from '../../scripts/dev-server';
import { registerSearchAttributes } from '../../scripts/register-search-attributes';
import { resolveTemporalCli } from '../../scripts/tools';
import { startWorker, type RunningWorker } from '../../worker/main';
import { startChildWorker } from './child-worker';
import { benchRegistry } from './fixtures';
import { saveRegistry } from '../../activities/records/registry';
import { scratchSchema } from '../../activities/records/db';
import { sleep } from './stats';

const READY_TIMEOUT_MS = 60_000;

export interface BenchEnvironment {
  config: Config;
  logger: Logger;
  address: string;
  namespace: string;
  /** 'embedded dev server' when started here, else 'external'. */
  temporalKind: 'embedded dev server' | 'external';
  /** How the embedded dev server stores its data. */
  serverDb?: 'memory' | 'file' | undefined;
  /** The dev server's process id when started here (its CPU is read while cases sit idle). */
  serverPid?: number | undefined;
  recordStoreKind: 'pglite' | 'postgres';
  db: Db;
  records: RecordStore;
  /** A client of its own for the bare-client measurements (the API has another). */
  client: Client;
  /** The payload codecs every client and worker of the run uses (encryption, as in production). */
  payloadCodecs: PayloadCodec[];
  /** Whether new payloads are encrypted (PAYLOAD_ENCRYPTION). */
  payloadEncryption: boolean;
  /**
   * The environment of a worker in another process on `taskQueue`: this process's, with what it needs
   * to share this run's server, record store and payload keys (DATABASE_URL, TEMPORAL_ADDRESS,
   * TEMPORAL_NAMESPACE, PAYLOAD_KEYS, PAYLOAD_ENCRYPTION) and the run's data folder and log level.
   */
  workerEnv(taskQueue: string): NodeJS.ProcessEnv;
  /** The case worker runs in a process of its own (with PostgreSQL), not in the benchmark's. */
  workerInOwnProcess: boolean;
  /** That process's id. */
  workerPid?: number | undefined;
  apiBase: URL;
  /** Scratch folder: dev server database and log, embedded stores, child worker logs. */
  scratch: string;
  close(): Promise<void>;
}

/**
 * Resolves once a worker polls `taskQueue` for workflow and activity tasks; with `pid`, only that
 * process's worker counts (the SDK's default identity is `<pid>@<host>`), since the server keeps
 * listing a stopped worker's pollers for a while.
 */
export async function waitForPollers(client: Client, namespace: string, taskQueue: string, timeoutMs = READY_TIMEOUT_MS, pid?: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  const types = [temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY];
  const counts = (pollers: temporal.api.taskqueue.v1.IPollerInfo[] | null | undefined) =>
    (pollers ?? []).filter((p) => pid === undefined || (p.identity ?? '').startsWith(`${pid}@`)).length;
  for (;;) {
    const found = await Promise.all(
      types.map(async (taskQueueType) => counts((await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType })).pollers)),
    );
    if (found.every((n) => n > 0)) return;
    if (Date.now() > until) throw new Error(`no worker${pid === undefined ? '' : ` of process ${pid}`} polls task queue ${taskQueue} after ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

export interface EnvironmentOptions {
  /** Where the dev server started here keeps its data: in memory (default) or a SQLite file in the scratch folder. */
  serverDb: 'memory' | 'file';
}

export async function startEnvironment(o: EnvironmentOptions): Promise<BenchEnvironment> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-bench-'));
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed:', err instanceof Error ? err.message : err));
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const external = process.env.TEMPORAL_ADDRESS;
    const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
    let address: string;
    let server: ChildProcess | undefined;
    if (external) {
      address = external;
      const probe = temporalTarget(loadConfig());
      const { tls, apiKey, metadata } = probe.connectionOptions;
      await waitForTemporal({ connection: { address, tls, apiKey, metadata }, namespace, timeoutMs: READY_TIMEOUT_MS });
    } else {
      const port = await freePort();
      address = `127.0.0.1:${port}`;
      const log = fs.openSync(path.join(scratch, 'temporal.log'), 'a');
      const args = devServerArgs({ port, namespace, dbFilename: path.join(scratch, 'temporal.db'), headless: true });
      // Without --db-filename the dev server keeps everything in an in-memory SQLite database.
      if (o.serverDb === 'memory') args.splice(args.indexOf('--db-filename'), 2);
      server = spawn(resolveTemporalCli(), args, { stdio: ['ignore', log, log] });
      fs.closeSync(log);
      const started = server;
      cleanups.push(() => stopChild(started, 15_000));
      await waitForTemporal({ connection: { address }, namespace, timeoutMs: READY_TIMEOUT_MS, child: server });
      // The worker and the API resolve their server through the SDK's environment conventions.
      process.env.TEMPORAL_ADDRESS = address;
    }

    // A record store of the run's own on PostgreSQL: a scratch schema of DATABASE_URL, dropped
    // afterwards, so that no run meets the cases (and the cadres' case counts) of the runs before it.
    let databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl) {
      const own = await scratchSchema(databaseUrl, 'bench_run');
      cleanups.push(() => own.drop());
      databaseUrl = own.url;
    }
    // One key for the run unless PAYLOAD_KEYS is given: the child workers of the scale benchmark need the same.
    const payloadKeys = process.env.PAYLOAD_KEYS || generatePayloadKey().line;
    const config = loadConfig({
      ...process.env,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      PAYLOAD_KEYS: payloadKeys,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      DATA_DIR: path.join(scratch, 'app'),
      TEMPORAL_TASK_QUEUE: `bench-${randomUUID().slice(0, 8)}`,
      // Recipients for every body, on PostgreSQL too, so notices are delivered as in a real deployment.
      SEED_DEMO_DATA: process.env.SEED_DEMO_DATA ?? 'true',
      // One benchmark caller sends thousands of requests a minute: lift the per-caller limit.
      API_RATE_LIMIT: '1000000000',
      // Per-case warnings would flood the output and cost CPU the numbers should not include.
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    });
    const logger = createLogger(config.logLevel, 'bench');
    const target = temporalTarget(config);

    const payloadCodecs: PayloadCodec[] = [createPayloadCodec(config, logger.child({ component: 'codec' }))];
    const client = await connectClient(target, { payloadCodecs });
    cleanups.push(() => client.connection.close());
    // Already there on the dev server started here; an external server may need them.
    await registerSearchAttributes(client.connection as Connection, namespace);

    const workerEnv = (taskQueue: string): NodeJS.ProcessEnv => ({
      ...process.env,
      ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      PAYLOAD_KEYS: payloadKeys,
      PAYLOAD_ENCRYPTION: config.payloadEncryption ? 'true' : 'false',
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATA_DIR: config.dataDir,
      LOG_LEVEL: config.logLevel,
    });

    const { db, records } = await openRecords(config, logger.child({ component: 'records' }));
    cleanups.push(() => db.close());
    // The cadres the benchmarks open cases for (before the API reads the registry, and the worker its cadres).
    await saveRegistry(db, benchRegistry, { sub: 'bench', source: 'bench/lib/fixtures.ts' });

    // With PostgreSQL the case worker runs in a process of its own, as in production (the API, the
    // benchmark's clients and the worker then do not share one event loop); the embedded store can
    // be opened by one process only, so with it the worker runs here.
    let workerPid: number | undefined;
    if (db.kind === 'postgres') {
      const child = startChildWorker({
        env: workerEnv(config.taskQueue),
        logFile: path.join(scratch, 'worker.log'),
      });
      workerPid = child.pid;
      cleanups.push(() => child.stop());
    } else {
      const worker: RunningWorker = await startWorker(config, logger.child({ component: 'worker' }), db, records, { payloadCodecs });
      cleanups.push(() => worker.shutdown());
    }

    const apiClient = await connectClient(target, { payloadCodecs });
    cleanups.push(() => apiClient.connection.close());
    const app: FastifyInstance = await buildApp({
      config,
      logger: logger.child({ component: 'api' }),
      cases: createTemporalGateway(apiClient, config),
      readModel: createReadModel(db),
      registry: cachedRegistry(() => readRegistry(db)),
      policies: PolicyRegistry.load(config.policyDir || undefined),
      payloadCodecs,
      readiness: {
        temporal: async () => void (await apiClient.workflowService.getSystemInfo({})),
        database: async () => void (await db.query('SELECT 1')),
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => app.close());
    const apiBase = new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);

    await waitForPollers(client, namespace, config.taskQueue, 180_000, workerPid);
    return {
      config,
      logger,
      address,
      namespace,
      temporalKind: external ? 'external' : 'embedded dev server',
      serverDb: external ? undefined : o.serverDb,
      serverPid: server?.pid,
      recordStoreKind: db.kind,
      workerInOwnProcess: workerPid !== undefined,
      workerPid,
      db,
      records,
      client,
      payloadCodecs,
      payloadEncryption: config.payloadEncryption,
      workerEnv,
      apiBase,
      scratch,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
