//! Unit tests of the store's pure helpers: configuration checks and integer conversions.

use super::*;

#[test]
fn config_check_accepts_shard_count_at_limit_and_refuses_limit_plus_one() {
    let mut config = StoreConfig::with_defaults();
    config.shard_count = SHARD_COUNT_MAX;
    assert!(config.check().is_ok());
    config.shard_count = SHARD_COUNT_MAX + 1;
    assert!(matches!(
        config.check(),
        Err(StoreError::ShardCountOutOfRange { shard_count }) if shard_count == SHARD_COUNT_MAX + 1
    ));
    config.shard_count = 0;
    assert!(matches!(
        config.check(),
        Err(StoreError::ShardCountOutOfRange { .. })
    ));
}

#[test]
fn config_check_refuses_zero_snapshot_interval() {
    let mut config = StoreConfig::with_defaults();
    config.snapshot_interval_receipts = 0;
    assert!(matches!(
        config.check(),
        Err(StoreError::SnapshotIntervalZero)
    ));
}

#[test]
fn integer_conversions_refuse_out_of_range_values() {
    assert_eq!(
        to_db_integer("sequence", i64::MAX as u64).ok(),
        Some(i64::MAX)
    );
    assert!(matches!(
        to_db_integer("sequence", i64::MAX as u64 + 1),
        Err(StoreError::IntegerOutOfRange {
            field: "sequence",
            ..
        })
    ));
    assert!(matches!(
        from_db_integer("receipts.sequence", -1),
        Err(StoreError::NegativeColumn { value: -1, .. })
    ));
}
