/**
 * The case worker bounds the heap of the threads that run workflow code (WORKER_WORKFLOW_HEAP_MIB):
 * without a limit V8 sizes it from the machine's memory and collects the garbage of finished and
 * evicted cases only once gigabytes have piled up.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { Worker as Thread } from 'node:worker_threads';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig } from '../common/config';
import { withWorkerProcessEnv, workerProcessEnv } from '../worker/process-env';
import { createCaseWorker, minimumWorkflowHeapMiB } from '../worker/worker';
import { workflowBundle } from './support/case-harness';
import { MemoryNotifier, MemoryRecords } from './support/doubles';
import { testServerAddress } from './support/temporal';

jest.setTimeout(60_000);

/** The old-space limit a thread started now gets, in MiB. */
function limitOfNewThread(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = new Thread("require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit)", { eval: true });
    t.once('message', (bytes: number) => void t.terminate().then(() => resolve(bytes / 1048576)));
    t.once('error', reject);
  });
}

test('When nothing is set, then workflow threads are limited to 768 MiB, enough for the default cache', () => {
  const config = loadConfig({});
  expect(config.workflowHeapMiB).toBe(768);
  expect(minimumWorkflowHeapMiB(config.maxCachedWorkflows)).toBeLessThanOrEqual(config.workflowHeapMiB);
  // a bigger cache needs a bigger heap
  expect(minimumWorkflowHeapMiB(1000)).toBeGreaterThan(768);
  expect(() => loadConfig({ WORKER_WORKFLOW_HEAP_MIB: 'lots' })).toThrow(/WORKER_WORKFLOW_HEAP_MIB/);
});

test('When a case worker is created with a workflow heap limit, then the threads it starts get that limit and the main thread keeps its own', async () => {
  const mainLimit = v8.getHeapStatistics().heap_size_limit;
  const connection = await NativeConnection.connect({ address: testServerAddress() });
  try {
    const worker = await createCaseWorker({
      connection,
      namespace: 'default',
      taskQueue: `heap-${randomUUID()}`,
      workflowBundle: await workflowBundle(),
      activities: createActivities({ records: new MemoryRecords(), notifier: new MemoryNotifier() }),
      workflowHeapMiB: 640,
    });
    const limit = await limitOfNewThread();
    // V8 adds its young generation and some headroom to the old-space limit.
    expect(limit).toBeGreaterThanOrEqual(640);
    expect(limit).toBeLessThan(640 + 128);
    expect(v8.getHeapStatistics().heap_size_limit).toBe(mainLimit);
    const running = worker.run();
    worker.shutdown();
    await running;
  } finally {
    await connection.close();
  }
});

test('When a worker process is launched (image, npm script, npm start), then it starts with the fixed mmap threshold', () => {
  const root = path.join(__dirname, '..');
  const value = workerProcessEnv.MALLOC_MMAP_THRESHOLD_;
  expect(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(new RegExp(`^\\s*MALLOC_MMAP_THRESHOLD_=${value}\\s*$`, 'm'));
  const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  expect(scripts.worker).toContain(`MALLOC_MMAP_THRESHOLD_=\${MALLOC_MMAP_THRESHOLD_:-${value}}`);
  expect(fs.readFileSync(path.join(root, 'scripts', 'start.ts'), 'utf8')).toContain('withWorkerProcessEnv(process.env)');
  // an operator's own value wins
  expect(withWorkerProcessEnv({ MALLOC_MMAP_THRESHOLD_: '65536', A: 'b' })).toEqual({ MALLOC_MMAP_THRESHOLD_: '65536', A: 'b' });
  expect(withWorkerProcessEnv({ A: 'b' })).toEqual({ MALLOC_MMAP_THRESHOLD_: value, A: 'b' });
});
