/**
 * Replays the committed histories of finished cases against today's workflow code: a change that
 * would break a running case (non-determinism) fails here. The histories were recorded without payload
 * encryption; they replay with the encryption codec configured too, as cases started before it was
 * turned on must.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { EncryptionCodec } from '../../common/codec';
import { workflowBundle } from '../support/case-harness';

const dir = path.join(__dirname, '..', 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const histories = () => files.map((f) => ({ workflowId: path.basename(f, '.json'), history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))) }));

async function replayAll(payloadCodecs: PayloadCodec[]): Promise<string[]> {
  const replayed: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), dataConverter: { payloadCodecs } }, histories())) {
    expect({ workflowId: result.workflowId, error: result.error }).toEqual({ workflowId: result.workflowId, error: undefined });
    replayed.push(result.workflowId);
  }
  return replayed.sort();
}

test('When the committed histories are replayed, then there are several and every one replays without a determinism error', async () => {
  expect(files.length).toBeGreaterThanOrEqual(6);

  const replayed = await replayAll([]);

  expect(replayed).toEqual(files.map((f) => path.basename(f, '.json')).sort());
});

test('When the unencrypted histories are replayed by a worker with the encryption codec, then every one still replays', async () => {
  const codec = new EncryptionCodec([{ id: 'replay', key: randomBytes(32) }]);
  let decoded = 0;
  const counting: PayloadCodec = {
    encode: (payloads) => codec.encode(payloads),
    decode: (payloads) => {
      decoded += payloads.length;
      return codec.decode(payloads);
    },
  };

  const replayed = await replayAll([counting]);

  expect(replayed).toEqual(files.map((f) => path.basename(f, '.json')).sort());
  // The history's payloads (workflow input, activity results, Update arguments) went through the codec.
  expect(decoded).toBeGreaterThan(files.length);
});
