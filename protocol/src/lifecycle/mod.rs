//! Lifecycles owned by the governance area: entities ([`entity`]) and cross-zone asset
//! migrations ([`migration`]).
//!
//! Never: performs the side effects a transition implies; actors do, after the pure step.

pub mod entity;
pub mod migration;
