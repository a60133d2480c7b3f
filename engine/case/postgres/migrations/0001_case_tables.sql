-- Migration 1: the case tables. One table per record type of engine/case/kv/kv_store.h (Table),
-- holding each record as the typed stores encode it: key and value bytes, the value a versioned CBOR
-- record (engine/case/kv/record_codec.h). Keys compare bytewise, as in the embedded backend.
CREATE TABLE kv_meta (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_evidence (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_evidence_identity (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_evidence_by_subject (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_files (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_progress (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_audit (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_subjects (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_accounts (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_identifiers (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_referrals (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_attributes (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_links (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_possible_links (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_assessments (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_queue (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_decisions (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_dip_samples (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_counters (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_pending (key bytea PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE kv_files_with_hits (key bytea PRIMARY KEY, value bytea NOT NULL);

-- The audit log is append-only in the database too: an entry is never changed or removed, whoever
-- connects (the hash chain would show it; this refuses it).
CREATE FUNCTION kv_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % of an entry refused', TG_OP;
END;
$$;
CREATE TRIGGER kv_audit_append_only BEFORE UPDATE OR DELETE ON kv_audit
  FOR EACH ROW EXECUTE FUNCTION kv_audit_append_only();
CREATE TRIGGER kv_audit_no_truncate BEFORE TRUNCATE ON kv_audit
  FOR EACH STATEMENT EXECUTE FUNCTION kv_audit_append_only();

-- The record format the typed stores write (checked on every open).
INSERT INTO kv_meta (key, value) VALUES ('schema_version'::bytea, '2'::bytea);
