import type { Migration } from './index';

/**
 * A notification records when its deliveries were planned, on its own row: an attempt marks it in
 * the statement that inserts the deliveries, and one that finds it marked plans nothing, so the
 * deliveries are planned once without a transaction around the plan.
 */
export const migration012: Migration = {
  version: 12,
  name: 'notification_planned',
  sql: `
ALTER TABLE notifications ADD COLUMN planned_at timestamptz;
UPDATE notifications AS n SET planned_at = n.created_at
 WHERE n.channel = 'notification' AND EXISTS (SELECT 1 FROM notifications AS d WHERE d.parent_key = n.key);
`,
};
