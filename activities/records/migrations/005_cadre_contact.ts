import type { Migration } from './index';

/** A cadre's own mail address, from the registry: where the ruling on a case of the cadre is sent. */
export const migration005: Migration = {
  version: 5,
  name: 'cadre contact',
  sql: `
ALTER TABLE cadres ADD COLUMN email text;
`,
};
