-- MSEZ store, schema version 4 (Postgres). Corridor forks (SPEC §8): the receipt the journal holds
-- at the contested sequence, the competing receipt, the zone's fork-alarm credential, the
-- status (open, stored_branch_won, competing_branch_won) and the latest decision with the
-- evidence it rested on and, when a branch won, the zone's fork-resolution credential. Written
-- in the same transaction as the halt (and the resume) it causes; never deleted: the losing
-- branch is evidence. Forward-only: never edit this file once released.

CREATE TABLE corridor_forks (
    fork_id             TEXT PRIMARY KEY,
    corridor_id         TEXT NOT NULL REFERENCES corridors (corridor_id),
    sequence            BIGINT NOT NULL CHECK (sequence >= 0),
    stored_receipt      BYTEA NOT NULL,
    competing_receipt   BYTEA NOT NULL,
    alarm               BYTEA NOT NULL,
    detected_at_unix_ms BIGINT NOT NULL,
    status              TEXT NOT NULL,
    decision            BYTEA,
    evidence            BYTEA,
    resolution          BYTEA,
    decided_at_unix_ms  BIGINT
);
CREATE INDEX corridor_forks_by_corridor ON corridor_forks (corridor_id, sequence, fork_id);
