/**
 * /readyz against the real dev server (global setup): ready only when Temporal answers AND a worker
 * polls the case task queue for workflow tasks; otherwise 503 naming the failed check, with
 * Retry-After. /healthz answers either way.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../api/app';
import { createTemporalGateway } from '../api/gateway';
import { PROBLEM_BASE } from '../api/problems';
import { POLLER_WINDOW_MS, recentPollers, temporalReadiness } from '../api/readiness';
import { loadConfig } from '../common/config';
import { PolicyRegistry } from '../domain/policies';
import { workflowBundle } from './support/case-harness';
import { testServerAddress } from './support/temporal';

jest.setTimeout(120_000);

const config = loadConfig({ TEMPORAL_TASK_QUEUE: `readyz-${randomUUID()}`, LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);

async function appOver(client: Client): Promise<FastifyInstance> {
  const app = await buildApp({ config, logger: pino({ level: 'silent' }), cases: createTemporalGateway(client, config), policies: PolicyRegistry.load(), readiness: temporalReadiness(client, config) });
  await app.ready();
  return app;
}

describe('Against the dev server', () => {
  let connection: Connection;
  let app: FastifyInstance;
  beforeAll(async () => {
    connection = await Connection.connect({ address: testServerAddress() });
    app = await appOver(new Client({ connection }));
  });
  afterAll(async () => {
    await app?.close();
    await connection?.close();
  });

  test('When no worker polls the case task queue, then /readyz is 503 with checks naming workers, and /healthz is 200', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });

    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}unavailable`, status: 503, checks: { temporal: 'ok', workers: 'failed' } });
    expect(res.body).not.toContain(config.taskQueue);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  test('When a worker polls the case task queue, then /readyz is 200 with every check ok', async () => {
    const workerConnection = await NativeConnection.connect({ address: testServerAddress() });
    const worker = await Worker.create({ connection: workerConnection, taskQueue: config.taskQueue, workflowBundle: await workflowBundle() });
    const running = worker.run();
    try {
      let res = await app.inject({ method: 'GET', url: '/readyz' });
      for (let i = 0; i < 50 && res.statusCode !== 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        res = await app.inject({ method: 'GET', url: '/readyz' });
      }

      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ready', checks: { temporal: 'ok', workers: 'ok' } });
    } finally {
      worker.shutdown();
      await running;
      await workerConnection.close();
    }
  });
});

test('When Temporal cannot be reached, then /readyz is 503 with both Temporal checks failed', async () => {
  // Nothing listens on port 1. Without the client's retry interceptor, no retry outlives the test.
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500, interceptors: [] });
  const app = await appOver(new Client({ connection }));
  try {
    const res = await app.inject({ method: 'GET', url: '/readyz' });

    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toEqual({ temporal: 'failed', workers: 'failed' });
    expect(res.headers['retry-after']).toBeDefined();
  } finally {
    await app.close();
    await connection.close();
  }
});

describe('Which pollers count', () => {
  const now = new Date('2026-03-10T02:00:00Z');
  const at = (msAgo: number) => ({ lastAccessTime: { seconds: Math.floor((now.getTime() - msAgo) / 1000), nanos: 0 } });

  test('When pollers were seen within the window, then they count; older ones and ones never seen do not', () => {
    const pollers = [at(1_000), at(POLLER_WINDOW_MS - 1_000), at(POLLER_WINDOW_MS + 5_000), {}, { lastAccessTime: null }];
    expect(recentPollers(pollers, now)).toEqual([pollers[0], pollers[1]]);
  });

  test('When the window is a minute and a half, then an idle worker between two long polls (up to a minute) still counts', () => {
    expect(POLLER_WINDOW_MS).toBeGreaterThan(60_000);
    expect(recentPollers([at(65_000)], now)).toHaveLength(1);
  });
});
