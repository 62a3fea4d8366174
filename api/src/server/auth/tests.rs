//! Unit tests of the token table and the token bucket: exact, clock-injected, no sockets.

use std::time::{Duration, Instant};

use super::*;

#[test]
fn authenticate_matches_only_the_exact_token() {
    let mut table = TokenTable::default();
    table.insert_plaintext("admin", Role::ZoneAdmin, "secret-a");
    table.insert_plaintext("ops", Role::Operator, "secret-b");
    assert_eq!(
        table.authenticate("secret-b"),
        Some(Principal {
            name: "ops".to_owned(),
            role: Role::Operator
        })
    );
    assert_eq!(table.authenticate("secret-"), None);
    assert_eq!(table.authenticate(""), None);
    assert_eq!(TokenTable::default().authenticate("secret-a"), None);
}

#[test]
fn token_entry_debug_never_shows_the_digest() {
    let entry = TokenEntry {
        name: "admin".to_owned(),
        role: Role::ZoneAdmin,
        sha256: token_sha256("secret"),
    };
    let text = format!("{entry:?}");
    assert!(!text.contains(&hex::encode(entry.sha256)));
}

#[test]
fn rate_limiter_admits_burst_then_refuses_until_refill() {
    let limiter = RateLimiter::new(2, 3);
    let start = Instant::now();
    for _ in 0..3 {
        assert_eq!(limiter.check("p", start), Ok(()));
    }
    assert_eq!(limiter.check("p", start), Err(Duration::from_millis(500)));
    // Another principal has its own bucket.
    assert_eq!(limiter.check("q", start), Ok(()));
    // Half a second refills one request at 2/s.
    assert_eq!(
        limiter.check("p", start + Duration::from_millis(500)),
        Ok(())
    );
    assert!(
        limiter
            .check("p", start + Duration::from_millis(500))
            .is_err()
    );
}

#[test]
fn rate_limiter_zero_rate_disables_limiting() {
    let limiter = RateLimiter::new(0, 1);
    let now = Instant::now();
    for _ in 0..100 {
        assert_eq!(limiter.check("p", now), Ok(()));
    }
}

#[test]
fn role_names_round_trip() {
    for role in ROLES {
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
    assert_eq!(Role::parse("root"), None);
}
