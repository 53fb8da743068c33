import type { Migration } from './index';

/**
 * The registry: localities (province → city → county) and the bodies in each. Units stay in `units`
 * (cadres refer to them) and are kept equal to the bodies of kind `unit`; every change is audited.
 */
export const migration004: Migration = {
  version: 4,
  name: 'registry',
  sql: `
CREATE TABLE localities (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  parent_code text REFERENCES localities (code)
);

CREATE TABLE bodies (
  code          text PRIMARY KEY,
  name          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('unit', 'organization', 'discipline', 'committee', 'supervision')),
  locality_code text NOT NULL REFERENCES localities (code)
);
CREATE INDEX bodies_locality_idx ON bodies (locality_code, kind);

ALTER TABLE units ADD COLUMN locality_code text REFERENCES localities (code);

CREATE TABLE registry_changes (
  id      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  by_sub  text NOT NULL,
  source  text NOT NULL,
  summary jsonb NOT NULL
);
`,
};
