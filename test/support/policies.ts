/**
 * Policies for tests that run on a real clock: every wait in seconds. Built from the default policy's
 * own list of deadlines, so a deadline added to the policy is in every drill at once.
 */
import { defaultPolicy } from '../../domain/policies';
import type { Policy } from '../../domain/policy';

export const seconds = (amount: number) => ({ amount, unit: 'seconds' as const });

/** The default policy with every deadline `wait` seconds long, then `deadlines` as given; the escalation interval is `wait` too. */
export function drillPolicy(id: string, wait: number, deadlines: Partial<Record<keyof Policy['deadlines'], number>> = {}, extra: Partial<Policy> = {}): Policy {
  const all = Object.fromEntries(Object.keys(defaultPolicy.deadlines).map((k) => [k, seconds(deadlines[k as keyof Policy['deadlines']] ?? wait)])) as Policy['deadlines'];
  return { ...defaultPolicy, id, version: `${id}@2026.1`, locality: 'default', effectiveFrom: '2000-01-01', deadlines: all, escalationInterval: seconds(wait), ...extra };
}
