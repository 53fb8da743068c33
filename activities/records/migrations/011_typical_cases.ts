import type { Migration } from './index';

/**
 * The typical-case library (典型案例库): anonymized accounts of closed cases, proposed by an
 * organization department, approved (published) or returned by the party committee, and the
 * append-only audit of every step. An account holds no personal data (it is checked against the
 * case's before it is stored), so nothing here is sealed and an erasure of the case leaves it as it
 * is. The facts it is searched by (kind, category, situation, outcome) and where the case belongs
 * (its locality path) are copied from the case when it is proposed: a closed case does not change.
 */
export const migration011: Migration = {
  version: 11,
  name: 'typical-case library',
  sql: `
CREATE TABLE typical_cases (
  id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id        text NOT NULL UNIQUE REFERENCES cases (case_id),
  kind           text NOT NULL CHECK (kind IN ('goodPractice', 'warning')),
  status         text NOT NULL CHECK (status IN ('proposed', 'returned', 'published')),
  category       text NOT NULL,
  situation      text,
  outcome        text CHECK (outcome IN ('exempt', 'mitigate', 'deny')),
  close_reason   text NOT NULL,
  locality       text NOT NULL,
  localities     text[] NOT NULL,
  title          text NOT NULL,
  account        text NOT NULL,
  lessons        text NOT NULL,
  revision       integer NOT NULL,
  proposed_by    text NOT NULL,
  proposing_body text NOT NULL,
  proposed_at    timestamptz NOT NULL,
  revised_by     text,
  revised_at     timestamptz,
  reviewed_by    text,
  reviewing_body text,
  reviewed_at    timestamptz,
  return_reason  text,
  published_at   timestamptz,
  updated_at     timestamptz NOT NULL,
  CHECK ((status = 'published') = (published_at IS NOT NULL))
);
-- The library, newest first (every filter narrows this walk); the proposals of a jurisdiction.
CREATE INDEX typical_cases_published_idx ON typical_cases (published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX typical_cases_kind_idx ON typical_cases (kind, published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX typical_cases_localities_idx ON typical_cases USING gin (localities);

CREATE TABLE typical_case_audit (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id   integer NOT NULL REFERENCES typical_cases (id),
  at         timestamptz NOT NULL,
  by_sub     text NOT NULL,
  by_role    text NOT NULL,
  by_body    text NOT NULL,
  action     text NOT NULL CHECK (action IN ('propose', 'revise', 'approve', 'return')),
  status     text NOT NULL CHECK (status IN ('proposed', 'returned', 'published')),
  revision   integer NOT NULL,
  reason     text,
  -- the account as it stood after the step (anonymized) and what automatic replacement replaced
  -- (field, kind and placeholder, never the value)
  title      text NOT NULL,
  account    text NOT NULL,
  lessons    text NOT NULL,
  replaced   jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX typical_case_audit_entry_idx ON typical_case_audit (entry_id, id);

CREATE FUNCTION typical_case_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the typical-case audit is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER typical_case_audit_no_update_or_delete BEFORE UPDATE OR DELETE ON typical_case_audit
  FOR EACH ROW EXECUTE FUNCTION typical_case_audit_append_only();
CREATE TRIGGER typical_case_audit_no_truncate BEFORE TRUNCATE ON typical_case_audit
  FOR EACH STATEMENT EXECUTE FUNCTION typical_case_audit_append_only();
`,
};
