/**
 * Replays the committed histories of finished cases against today's workflow code: a change that
 * would break a running case (non-determinism) fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/case-harness';

const dir = path.join(__dirname, '..', 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('When the committed histories are replayed, then there are several and every one replays without a determinism error', async () => {
  expect(files.length).toBeGreaterThanOrEqual(6);
  const histories = files.map((f) => ({ workflowId: path.basename(f, '.json'), history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))) }));
  const replayed: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    expect(result.error).toBeUndefined();
    replayed.push(result.workflowId);
  }
  expect(replayed.sort()).toEqual(files.map((f) => path.basename(f, '.json')).sort());
});
