import type { Migration } from './index';

/**
 * Registry administration: bodies and cadres can be retired (never deleted: cases, ledgers and the
 * audit name them for good), and every change of a registry entry is audited, append-only, with who
 * made it (subject, role, body), when, and the entry before and after. `localities` holds the paths
 * up the tree of the entry's place before and after, so an admin reads the changes of its
 * jurisdiction only.
 */
export const migration006: Migration = {
  version: 6,
  name: 'admin audit',
  sql: `
ALTER TABLE bodies ADD COLUMN retired_at timestamptz;
ALTER TABLE cadres ADD COLUMN retired_at timestamptz;

CREATE TABLE registry_audit (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  by_sub     text NOT NULL,
  by_role    text,
  by_body    text,
  source     text NOT NULL,
  entity     text NOT NULL CHECK (entity IN ('locality', 'body', 'cadre')),
  code       text NOT NULL,
  action     text NOT NULL CHECK (action IN ('create', 'update', 'retire', 'reinstate')),
  before     jsonb,
  after      jsonb NOT NULL,
  localities text[] NOT NULL
);
CREATE INDEX registry_audit_localities_idx ON registry_audit USING gin (localities);
CREATE INDEX registry_audit_entry_idx ON registry_audit (entity, code, id);

CREATE FUNCTION registry_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the registry audit is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER registry_audit_no_update_or_delete BEFORE UPDATE OR DELETE ON registry_audit
  FOR EACH ROW EXECUTE FUNCTION registry_audit_append_only();
CREATE TRIGGER registry_audit_no_truncate BEFORE TRUNCATE ON registry_audit
  FOR EACH STATEMENT EXECUTE FUNCTION registry_audit_append_only();
`,
};
