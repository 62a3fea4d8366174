-- MSEZ store, schema version 1 (Postgres). Forward-only: never edit a released migration; add a
-- new numbered file instead. Times are integer Unix milliseconds from the database clock or the
-- caller, digests are 32 raw bytes, documents are their canonical bytes.

-- Settings fixed when the store is created (the lease shard count): every process must agree.
CREATE TABLE store_settings (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- Corridors: definition, agreement set and the current lifecycle state; history below.
CREATE TABLE corridors (
    corridor_id        TEXT PRIMARY KEY,
    definition         BYTEA NOT NULL,
    agreement_set      BYTEA NOT NULL,
    lifecycle_state    TEXT NOT NULL,
    updated_at_unix_ms BIGINT NOT NULL
);
CREATE TABLE corridor_lifecycle_history (
    corridor_id      TEXT NOT NULL REFERENCES corridors (corridor_id),
    transition_index BIGINT NOT NULL,
    from_state       TEXT NOT NULL,
    to_state         TEXT NOT NULL,
    at_unix_ms       BIGINT NOT NULL,
    PRIMARY KEY (corridor_id, transition_index)
);

-- The receipt journal: immutable rows, one per (corridor, sequence).
CREATE TABLE receipts (
    corridor_id TEXT NOT NULL,
    sequence    BIGINT NOT NULL CHECK (sequence >= 0),
    next_root   BYTEA NOT NULL,
    epoch       BIGINT NOT NULL,
    receipt     BYTEA NOT NULL,
    PRIMARY KEY (corridor_id, sequence)
);

-- Opaque corridor snapshots: state after `receipt_count` receipts, whose last next_root is
-- `head_root`; `digest` is checked at every load.
CREATE TABLE snapshots (
    corridor_id    TEXT NOT NULL,
    receipt_count  BIGINT NOT NULL CHECK (receipt_count > 0),
    head_root      BYTEA NOT NULL,
    digest         BYTEA NOT NULL,
    epoch          BIGINT NOT NULL,
    state          BYTEA NOT NULL,
    PRIMARY KEY (corridor_id, receipt_count)
);

-- SPEC §7 checkpoints and their external anchors.
CREATE TABLE checkpoints (
    corridor_id   TEXT NOT NULL,
    receipt_count BIGINT NOT NULL,
    digest        BYTEA NOT NULL,
    checkpoint    BYTEA NOT NULL,
    PRIMARY KEY (corridor_id, receipt_count)
);
CREATE TABLE anchors (
    checkpoint_digest   BYTEA NOT NULL,
    anchor_chain        TEXT NOT NULL,
    anchor_reference    TEXT NOT NULL,
    anchored_at_unix_ms BIGINT NOT NULL,
    PRIMARY KEY (checkpoint_digest, anchor_chain)
);

-- The VC audit log: every credential issued, with its revocation status and status-list slot.
CREATE TABLE credentials (
    credential_id             TEXT PRIMARY KEY,
    credential_type           TEXT NOT NULL,
    issuer                    TEXT NOT NULL,
    digest                    BYTEA NOT NULL,
    credential                BYTEA NOT NULL,
    status_list_id            TEXT NOT NULL,
    status_list_index         BIGINT NOT NULL CHECK (status_list_index >= 0),
    status                    TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'suspended')),
    issued_at_unix_ms         BIGINT NOT NULL,
    status_changed_at_unix_ms BIGINT NOT NULL,
    UNIQUE (status_list_id, status_list_index)
);
CREATE VIEW credential_status_list AS
    SELECT status_list_id, status_list_index, status FROM credentials;

-- Compliance tensor snapshots and attestations.
CREATE TABLE tensor_snapshots (
    subject_id        TEXT NOT NULL,
    digest            BYTEA NOT NULL,
    taken_at_unix_ms  BIGINT NOT NULL,
    tensor            BYTEA NOT NULL,
    PRIMARY KEY (subject_id, digest)
);
CREATE TABLE attestations (
    attestation_id     TEXT PRIMARY KEY,
    subject_id         TEXT NOT NULL,
    digest             BYTEA NOT NULL,
    attestation        BYTEA NOT NULL,
    created_at_unix_ms BIGINT NOT NULL
);

-- Watchers, their bonds and slashing claims against bonds.
CREATE TABLE watchers (
    watcher_id            TEXT PRIMARY KEY,
    did                   TEXT NOT NULL,
    state                 TEXT NOT NULL,
    registered_at_unix_ms BIGINT NOT NULL
);
CREATE TABLE watcher_bonds (
    bond_id      TEXT PRIMARY KEY,
    watcher_id   TEXT NOT NULL REFERENCES watchers (watcher_id),
    currency     TEXT NOT NULL,
    amount_minor TEXT NOT NULL,
    state        TEXT NOT NULL,
    bond         BYTEA NOT NULL
);
CREATE TABLE slashing_claims (
    claim_id TEXT PRIMARY KEY,
    bond_id  TEXT NOT NULL REFERENCES watcher_bonds (bond_id),
    state    TEXT NOT NULL,
    digest   BYTEA NOT NULL,
    claim    BYTEA NOT NULL
);

-- Disputes and their evidence.
CREATE TABLE disputes (
    dispute_id        TEXT PRIMARY KEY,
    corridor_id       TEXT NOT NULL,
    state             TEXT NOT NULL,
    opened_at_unix_ms BIGINT NOT NULL,
    claim             BYTEA NOT NULL
);
CREATE TABLE dispute_evidence (
    dispute_id     TEXT NOT NULL REFERENCES disputes (dispute_id),
    evidence_index BIGINT NOT NULL,
    digest         BYTEA NOT NULL,
    evidence       BYTEA NOT NULL,
    PRIMARY KEY (dispute_id, evidence_index)
);

-- Agentic policies (versioned) and the hash-chained audit trail of their decisions.
CREATE TABLE policies (
    policy_id TEXT NOT NULL,
    version   BIGINT NOT NULL,
    digest    BYTEA NOT NULL,
    policy    BYTEA NOT NULL,
    PRIMARY KEY (policy_id, version)
);
CREATE TABLE agentic_audit_trail (
    trail_id   TEXT NOT NULL,
    sequence   BIGINT NOT NULL CHECK (sequence >= 0),
    prev_hash  BYTEA NOT NULL,
    entry_hash BYTEA NOT NULL,
    entry      BYTEA NOT NULL,
    PRIMARY KEY (trail_id, sequence)
);

-- Packs (lawpacks, regpacks, licensepacks) by the digest of their canonical bytes.
CREATE TABLE packs (
    digest    BYTEA PRIMARY KEY,
    pack_kind TEXT NOT NULL,
    pack      BYTEA NOT NULL
);

-- Shard leases with fencing epochs; rows are never deleted so epochs only grow.
CREATE TABLE leases (
    shard              BIGINT PRIMARY KEY,
    owner              TEXT NOT NULL,
    epoch              BIGINT NOT NULL,
    expires_at_unix_ms BIGINT NOT NULL
);

-- Idempotency records for outbound Mass calls.
CREATE TABLE mass_idempotency (
    idempotency_key      TEXT PRIMARY KEY,
    service              TEXT NOT NULL,
    request_digest       BYTEA NOT NULL,
    response             BYTEA,
    created_at_unix_ms   BIGINT NOT NULL,
    completed_at_unix_ms BIGINT
);

-- A small TTL cache of Mass facts (entity jurisdiction, filer status); never an authority.
CREATE TABLE mass_fact_cache (
    fact_key           TEXT PRIMARY KEY,
    fact               BYTEA NOT NULL,
    expires_at_unix_ms BIGINT NOT NULL
);
