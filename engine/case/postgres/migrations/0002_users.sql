-- Migration 2: team-mode users (engine/case/user_store.h), stored like every other record type.
CREATE TABLE kv_users (key bytea PRIMARY KEY, value bytea NOT NULL);
