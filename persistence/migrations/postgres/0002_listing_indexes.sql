-- MSEZ store, schema version 2 (Postgres). Indexes for the reads the actors and the API make on the
-- tables of version 1 that had no methods until now: attestations of a subject, tensor
-- snapshots of a subject by time, bonds of a watcher, slashing claims against a bond, and the
-- disputes of a corridor. Forward-only: never edit this file once released.

CREATE INDEX attestations_by_subject ON attestations (subject_id, created_at_unix_ms, attestation_id);
CREATE INDEX tensor_snapshots_by_time ON tensor_snapshots (subject_id, taken_at_unix_ms);
CREATE INDEX watcher_bonds_by_watcher ON watcher_bonds (watcher_id);
CREATE INDEX slashing_claims_by_bond ON slashing_claims (bond_id);
CREATE INDEX disputes_by_corridor ON disputes (corridor_id, opened_at_unix_ms);
