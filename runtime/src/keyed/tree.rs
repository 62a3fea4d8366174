//! The keyed host's view of itself in the introspection tree: host → shards → actors, built on
//! demand from the shard tables, plus lookup and kill by path.
//!
//! Owns the `Subtree` implementation of `HostInner`.
//!
//! Never: changes a slot; holds two shard locks at once.

use std::sync::atomic::Ordering;

use super::{HostInner, Keyed, Shard};
use crate::introspection::{NodeStatus, Subtree, TreeNode, last_segment};
use crate::single_flight::Slot;

impl<K: Keyed> Subtree for HostInner<K> {
    fn snapshot(&self) -> TreeNode {
        let mut node = self.host_node();
        node.children = self
            .shards
            .iter()
            .map(|shard| self.shard_node(shard, true))
            .collect();
        node
    }

    fn find(&self, path: &str) -> Option<TreeNode> {
        if path == self.path {
            return Some(self.snapshot());
        }
        let (shard, rest) = self.locate(path)?;
        match rest {
            None => Some(self.shard_node(shard, true)),
            Some(key_text) => self
                .shard_node(shard, true)
                .children
                .into_iter()
                .find(|actor| actor.name == key_text),
        }
    }

    fn kill(&self, path: &str) -> bool {
        let Some((shard, Some(key_text))) = self.locate(path) else {
            return false;
        };
        let target = shard
            .table
            .slots()
            .iter()
            .find_map(|(key, slot)| match slot {
                Slot::Active { incarnation, .. } if key.to_string() == key_text => {
                    Some(incarnation.clone())
                }
                _ => None,
            });
        match target {
            Some(live) => {
                live.actor.get_cell().kill();
                true
            }
            None => false,
        }
    }
}

impl<K: Keyed> HostInner<K> {
    fn host_node(&self) -> TreeNode {
        let status = if self.stopped.load(Ordering::Acquire) {
            NodeStatus::Stopped
        } else {
            NodeStatus::Running
        };
        TreeNode {
            path: self.path.clone(),
            name: self.config.name.clone(),
            kind: "keyed_host".to_owned(),
            status,
            restart_count: 0,
            last_failure: None,
            inbox_depth: 0,
            activated_at_unix_ms: 0,
            children: Vec::new(),
        }
    }

    /// The shard for `path` and the key text below it (None for the shard node itself).
    fn locate<'a>(&self, path: &'a str) -> Option<(&Shard<K>, Option<&'a str>)> {
        self.shards.iter().find_map(|shard| {
            if path == shard.path {
                return Some((shard, None));
            }
            let rest = path.strip_prefix(shard.path.as_str())?.strip_prefix('/')?;
            Some((shard, Some(rest)))
        })
    }

    fn shard_node(&self, shard: &Shard<K>, with_actors: bool) -> TreeNode {
        let mut children: Vec<TreeNode> = if with_actors {
            let slots = shard.table.slots();
            slots
                .iter()
                .map(|(key, slot)| actor_node(&shard.path, &key.to_string(), slot))
                .collect()
        } else {
            Vec::new()
        };
        children.sort_by(|a, b| a.path.cmp(&b.path));
        TreeNode {
            path: shard.path.clone(),
            name: last_segment(&shard.path).to_owned(),
            kind: "shard".to_owned(),
            status: NodeStatus::Running,
            restart_count: 0,
            last_failure: None,
            inbox_depth: 0,
            activated_at_unix_ms: 0,
            children,
        }
    }
}

fn actor_node<V, B>(shard_path: &str, key_text: &str, slot: &Slot<V, B>) -> TreeNode
where
    V: LiveView,
{
    let (status, restart_count, last_failure, inbox_depth, activated_at_unix_ms) = match slot {
        Slot::Active {
            incarnation,
            restart_count,
            last_failure,
            ..
        } => (
            incarnation.status(),
            *restart_count,
            last_failure.clone(),
            incarnation.inbox_depth(),
            incarnation.activated_at_unix_ms(),
        ),
        Slot::Passivating { .. } => (NodeStatus::Passivating, 0, None, 0, 0),
        Slot::Quarantined {
            last_failure,
            restart_count,
        } => (
            NodeStatus::Failed,
            *restart_count,
            Some(last_failure.clone()),
            0,
            0,
        ),
    };
    TreeNode {
        path: format!("{shard_path}/{key_text}"),
        name: key_text.to_owned(),
        kind: "keyed_actor".to_owned(),
        status,
        restart_count,
        last_failure,
        inbox_depth,
        activated_at_unix_ms,
        children: Vec::new(),
    }
}

/// What a tree node shows of a live incarnation.
trait LiveView {
    fn status(&self) -> NodeStatus;
    fn inbox_depth(&self) -> usize;
    fn activated_at_unix_ms(&self) -> u64;
}

impl<K: Keyed> LiveView for std::sync::Arc<super::Live<K>> {
    fn status(&self) -> NodeStatus {
        self.shared.status()
    }

    fn inbox_depth(&self) -> usize {
        self.shared.admission.depth()
    }

    fn activated_at_unix_ms(&self) -> u64 {
        self.shared.activated_at_unix_ms
    }
}
