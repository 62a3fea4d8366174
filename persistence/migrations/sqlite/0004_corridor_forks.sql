-- MSEZ store, schema version 4 (SQLite). Corridor forks (SPEC §8): the receipt the journal holds
-- at the contested sequence, the competing receipt, the zone's fork-alarm credential, the
-- status (open, stored_branch_won, competing_branch_won) and the latest decision with the
-- evidence it rested on and, when a branch won, the zone's fork-resolution credential. Written
-- in the same transaction as the halt (and the resume) it causes; never deleted: the losing
-- branch is evidence. Forward-only: never edit this file once released.

CREATE TABLE corridor_forks (
    fork_id             TEXT PRIMARY KEY,
    corridor_id         TEXT NOT NULL REFERENCES corridors (corridor_id),
    sequence            INTEGER NOT NULL CHECK (sequence >= 0),
    stored_receipt      BLOB NOT NULL,
    competing_receipt   BLOB NOT NULL,
    alarm               BLOB NOT NULL,
    detected_at_unix_ms INTEGER NOT NULL,
    status              TEXT NOT NULL,
    decision            BLOB,
    evidence            BLOB,
    resolution          BLOB,
    decided_at_unix_ms  INTEGER
);
CREATE INDEX corridor_forks_by_corridor ON corridor_forks (corridor_id, sequence, fork_id);
