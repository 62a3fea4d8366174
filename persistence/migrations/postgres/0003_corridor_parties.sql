-- MSEZ store, schema version 3 (Postgres). The entities party to each corridor, by entity id
-- only: names and registration numbers stay with Mass (the authoritative entity records) and
-- are fetched when needed, e.g. for sanctions screening. Written in the corridor's create
-- transaction and never changed. Corridors created before this version have no rows here.
-- Forward-only: never edit this file once released.

CREATE TABLE corridor_parties (
    corridor_id TEXT NOT NULL REFERENCES corridors (corridor_id),
    party_index BIGINT NOT NULL CHECK (party_index >= 0),
    entity_id   TEXT NOT NULL,
    PRIMARY KEY (corridor_id, party_index),
    UNIQUE (corridor_id, entity_id)
);
CREATE INDEX corridor_parties_by_entity ON corridor_parties (entity_id, corridor_id);
