/**
 * The platform's floor for a start: the smallest workflow of the case's shape. Opened with
 * Update-with-Start, it answers the Update in its first workflow task and schedules one activity
 * there (eager, as the case's record write is) beside the timer it then rests on, as the case's
 * watcher does; the activity's completion brings a second task, which changes nothing. Nothing else:
 * no state, no search attributes, no I/O.
 */
import { defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export const floorOpenUpdate = defineUpdate<{ opened: true }>('floorOpen');

export interface FloorActivities {
  floorRecord(): Promise<void>;
}

const { floorRecord } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

export async function floorCase(): Promise<void> {
  setHandler(floorOpenUpdate, () => {
    void floorRecord();
    return { opened: true as const };
  });
  await sleep('30 days');
}
