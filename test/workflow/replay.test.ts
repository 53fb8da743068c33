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
// The histories of today's code at the top, those of earlier versions (still running somewhere) in folders.
const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();
const idOf = (f: string) => f.slice(0, -'.json'.length);
const histories = () => files.map((f) => ({ workflowId: idOf(f), history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))) }));

async function replayAll(payloadCodecs: PayloadCodec[]): Promise<string[]> {
  const replayed: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), dataConverter: { payloadCodecs } }, histories())) {
    expect({ workflowId: result.workflowId, error: result.error }).toEqual({ workflowId: result.workflowId, error: undefined });
    replayed.push(result.workflowId);
  }
  return replayed.sort();
}

test('When the committed histories are replayed, then there are several and every one replays without a determinism error', async () => {
  // six of today's code and six of the version before local decisions
  expect(files.filter((f) => !f.includes(path.sep)).length).toBeGreaterThanOrEqual(6);
  expect(files.filter((f) => f.startsWith(`before-local-decisions${path.sep}`)).length).toBe(6);

  const replayed = await replayAll([]);

  expect(replayed).toEqual(files.map(idOf).sort());
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

  expect(replayed).toEqual(files.map(idOf).sort());
  // The history's payloads (workflow input, activity results, Update arguments) went through the codec.
  expect(decoded).toBeGreaterThan(files.length);
});

test('When the histories are read, then today\'s cases run their decisions as local activities and the older ones as activities', () => {
  const decisionTypes = ['planDeadline', 'planDueDate', 'planEscalation', 'planRevisits', 'screen', 'assess'];
  const scheduled = (f: string) => {
    const json = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { events: { eventType: string; activityTaskScheduledEventAttributes?: { activityType?: { name?: string } }; markerRecordedEventAttributes?: { markerName?: string } }[] };
    return {
      decisionActivities: json.events.filter((e) => decisionTypes.includes(e.activityTaskScheduledEventAttributes?.activityType?.name ?? '')).length,
      localActivityMarkers: json.events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
      recordEvents: json.events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordEvent').length,
    };
  };
  for (const f of files) {
    const counts = scheduled(f);
    // every case records its timeline through ordinary (durable) activities either way
    expect(counts.recordEvents).toBeGreaterThan(0);
    if (f.startsWith(`before-local-decisions${path.sep}`)) expect(counts).toMatchObject({ decisionActivities: expect.any(Number) as number, localActivityMarkers: 0 });
    else expect(counts).toMatchObject({ decisionActivities: 0, localActivityMarkers: expect.any(Number) as number });
    expect(counts.decisionActivities + counts.localActivityMarkers).toBeGreaterThan(0);
  }
});
