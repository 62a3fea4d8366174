//! The corridor domain: watchers, forks and the lifecycle of a corridor between zones.
//!
//! Owns [`agreement`] (definition and activation by agreement), [`watcher`] (SPEC §11: registry, bonds, signed attestations, slashing), [`fork`]
//! (SPEC §8: detection, alarm, deterministic resolution, equivocation evidence) and
//! [`lifecycle`] (the corridor state machine and its typed evidence). Credentials are built and
//! issued through `vc` with its typed subjects; this domain adds the rules around them.
//!
//! Never: reads a clock, draws randomness or looks at a verifier's local time. Every decision
//! is a function of the evidence passed in, so any verifier recomputes the same outcome.

pub mod agreement;
pub mod fork;
pub mod lifecycle;
pub mod watcher;
