//! Goal: the sandbox's hand-written form decoder never panics and decodes what the client's
//! encoder produces. Method: a proptest over arbitrary bytes and a round trip.

use proptest::prelude::*;

use super::*;

proptest! {
    #[test]
    fn form_decode_never_panics(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = form_decode(&body);
    }

    #[test]
    fn form_decode_inverts_the_client_encoder(value in ".{0,40}") {
        let mut encoded = String::from("k=");
        crate::token::form_encode_into(&value, &mut encoded);
        let decoded = form_decode(encoded.as_bytes());
        prop_assert_eq!(decoded.first().map(|(_, v)| v.to_string()), Some(value));
    }
}
