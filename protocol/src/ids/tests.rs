//! Identifier validation at its limits.

use super::*;

#[test]
fn ids_accept_the_allowed_alphabet_up_to_the_limit() {
    assert!(CorridorId::new("corridor:PAK-UAE_01.v2").is_ok());
    assert!(CorridorId::new("a".repeat(ID_LENGTH_BYTES_MAX)).is_ok());
}

#[test]
fn ids_reject_empty_long_and_foreign_characters() {
    assert_eq!(
        CorridorId::new(""),
        Err(IdError::Empty {
            kind: "corridor_id"
        })
    );
    assert_eq!(
        EntityId::new("a".repeat(ID_LENGTH_BYTES_MAX + 1)),
        Err(IdError::TooLong {
            kind: "entity_id",
            length_bytes: ID_LENGTH_BYTES_MAX + 1
        })
    );
    assert_eq!(
        JurisdictionId::new("PK/RSEZ"),
        Err(IdError::Character {
            kind: "jurisdiction_id",
            found: '/'
        })
    );
    assert!(serde_json::from_str::<ObligationId>("\"a b\"").is_err());
}
