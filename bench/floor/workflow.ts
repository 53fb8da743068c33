/**
 * The platform's floor for a start: the smallest workflow of the case's shape. Opened with
 * Update-with-Start, it answers the Update in its first workflow task and schedules one activity
 * there (eager, as the case's record write is); the activity's completion brings a second task, which
 * starts a timer, as the case's watcher does. Nothing else: no state, no search attributes, no I/O.
 */
import { condition, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export const floorOpenUpdate = defineUpdate<{ opened: true }>('floorOpen');

export interface FloorActivities {
  floorRecord(): Promise<void>;
}

const { floorRecord } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

export async function floorCase(): Promise<void> {
  let recorded = false;
  setHandler(floorOpenUpdate, () => {
    void floorRecord().then(() => {
      recorded = true;
    });
    return { opened: true as const };
  });
  await condition(() => recorded, '1 day');
  await sleep('30 days');
}
