//! The introspection tree: every supervisor and actor, with path, name, kind, status, restart
//! count, last failure, inbox depth and activation time, plus a broadcast stream of
//! `SupervisionEvent`s. Operators read it through the admin endpoint and drive drills with
//! `kill(path)`.
//!
//! Owns `Introspection`, `TreeNode`, `NodeStatus`, `SupervisionEvent` and the `Subtree` trait that
//! lets a keyed host answer for its own (large) subtree at snapshot time, so activating one of
//! 10,000 actors never touches a registry-wide lock.
//!
//! Never: restarts or stops anything by itself (only `kill` on an operator's request); holds a
//! lock while calling into a subtree it does not own.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use ractor::ActorCell;
use tokio::sync::broadcast;

use crate::error::RuntimeError;
use crate::sync::lock_std;

/// Supervision events buffered per subscriber; a slower subscriber sees `Lagged` and skips.
/// 4,096 holds a burst of one restart per actor across a 64-shard host several times over.
pub const EVENT_BUFFER_COUNT: usize = 4_096;

/// A snapshot of one node of the supervision tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TreeNode {
    /// Slash-separated path from the root, e.g. `/zone/corridors/shard-07/c-42`.
    pub path: String,
    /// Last path segment.
    pub name: String,
    /// What the node is: `supervisor`, `keyed_host`, `shard`, or the actor kind.
    pub kind: String,
    /// Lifecycle status.
    pub status: NodeStatus,
    /// Restarts since the node was first started (kept across restarts, reset by passivation).
    pub restart_count: u32,
    /// The last failure's reason.
    pub last_failure: Option<String>,
    /// Admitted, not yet handled messages (0 for nodes without admission control).
    pub inbox_depth: usize,
    /// When the current incarnation was activated (Unix ms).
    pub activated_at_unix_ms: u64,
    /// Children, ordered by path.
    pub children: Vec<TreeNode>,
}

/// Lifecycle status of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    /// Spawned; waiting out a restart backoff or a predecessor's passivation.
    Starting,
    /// Loading state (hydrate) before its first message.
    Hydrating,
    /// Handling messages.
    Running,
    /// Running its passivate hook before stopping.
    Passivating,
    /// Stopped normally.
    Stopped,
    /// Exceeded its restart intensity (escalated); quarantined or stopped.
    Failed,
}

/// A supervision event, broadcast to every subscriber.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SupervisionEvent {
    /// An actor (or supervisor) started and is ready for messages.
    Started {
        /// Its path.
        path: String,
    },
    /// An actor failed (error, panic, failed hydrate) or was killed.
    Failed {
        /// Its path.
        path: String,
        /// The failure's reason.
        reason: String,
    },
    /// An actor is being restarted after `backoff_ms`.
    Restarted {
        /// Its path.
        path: String,
        /// 1-based restart number within the intensity window.
        attempt: u32,
        /// The delay before it hydrates again.
        backoff_ms: u64,
    },
    /// The restart intensity was exceeded; the failure goes to the parent.
    Escalated {
        /// Path of the node whose intensity was exceeded.
        path: String,
        /// The failure that exceeded it.
        reason: String,
    },
    /// An actor ran its passivate hook and stopped.
    Passivated {
        /// Its path.
        path: String,
    },
    /// An actor stopped and will not be restarted.
    Stopped {
        /// Its path.
        path: String,
    },
}

/// A subtree that answers for itself (a keyed host and its shards and actors).
pub(crate) trait Subtree: Send + Sync {
    /// The whole subtree, rooted at its mount path.
    fn snapshot(&self) -> TreeNode;
    /// One node at or below the mount path.
    fn find(&self, path: &str) -> Option<TreeNode>;
    /// Kills the actor at `path`; false when there is none.
    fn kill(&self, path: &str) -> bool;
}

/// Shared registry of the whole supervision tree. Cheap to clone.
#[derive(Clone)]
pub struct Introspection {
    inner: Arc<Inner>,
}

struct Inner {
    root_path: String,
    /// Registered nodes by path. A std mutex: it is held only for map operations, never across an
    /// await or a call into a subtree.
    nodes: Mutex<BTreeMap<String, Registered>>,
    events: broadcast::Sender<SupervisionEvent>,
    created_at_unix_ms: u64,
}

#[derive(Clone)]
enum Registered {
    Node(Arc<NodeRecord>),
    Subtree(Arc<dyn Subtree>),
}

/// The live record of a registered supervisor or singleton actor, updated by its supervisor.
pub(crate) struct NodeRecord {
    pub(crate) path: String,
    pub(crate) kind: String,
    pub(crate) state: Mutex<NodeState>,
}

/// Mutable part of a `NodeRecord`.
pub(crate) struct NodeState {
    pub(crate) status: NodeStatus,
    pub(crate) restart_count: u32,
    pub(crate) last_failure: Option<String>,
    pub(crate) activated_at_unix_ms: u64,
    pub(crate) cell: Option<ActorCell>,
}

impl Introspection {
    /// A registry whose root node is `/root_name`.
    pub fn new(root_name: &str) -> Self {
        let (events, _) = broadcast::channel(EVENT_BUFFER_COUNT);
        Self {
            inner: Arc::new(Inner {
                root_path: format!("/{root_name}"),
                nodes: Mutex::new(BTreeMap::new()),
                events,
                created_at_unix_ms: now_unix_ms(),
            }),
        }
    }

    /// The root's path (`/root_name`).
    pub fn root_path(&self) -> &str {
        &self.inner.root_path
    }

    /// A snapshot of the whole tree.
    pub fn tree(&self) -> TreeNode {
        let registered = self.registered();
        let root_path = self.inner.root_path.clone();
        let mut root = TreeNode {
            name: last_segment(&root_path).to_owned(),
            path: root_path,
            kind: "root".to_owned(),
            status: NodeStatus::Running,
            restart_count: 0,
            last_failure: None,
            inbox_depth: 0,
            activated_at_unix_ms: self.inner.created_at_unix_ms,
            children: Vec::new(),
        };
        let mut snapshots: Vec<TreeNode> = registered
            .iter()
            .map(|(_, entry)| match entry {
                Registered::Node(record) => record.snapshot(),
                Registered::Subtree(subtree) => subtree.snapshot(),
            })
            .collect();
        // Attach deepest first so each node is complete before it joins its parent.
        snapshots.sort_by_key(|node| std::cmp::Reverse(depth(&node.path)));
        let mut by_path: BTreeMap<String, TreeNode> = BTreeMap::new();
        for node in snapshots {
            by_path.insert(node.path.clone(), node);
        }
        let mut paths: Vec<String> = by_path.keys().cloned().collect();
        paths.sort_by_key(|path| std::cmp::Reverse(depth(path)));
        for path in paths {
            let Some(node) = by_path.remove(&path) else {
                continue;
            };
            let parent = parent_path(&path);
            match by_path.get_mut(parent) {
                Some(parent_node) => parent_node.children.push(node),
                None => root.children.push(node),
            }
        }
        sort_children(&mut root);
        root
    }

    /// The node at `path`, if any.
    pub fn find(&self, path: &str) -> Option<TreeNode> {
        if path == self.inner.root_path {
            return Some(self.tree());
        }
        for (mount, entry) in self.registered() {
            match entry {
                Registered::Node(record) if mount == path => {
                    let mut node = record.snapshot();
                    node.children = self.tree_children_of(path);
                    return Some(node);
                }
                Registered::Subtree(subtree) if is_at_or_below(path, &mount) => {
                    return subtree.find(path);
                }
                _ => {}
            }
        }
        None
    }

    /// Kills the actor at `path` (an operator drill); its supervisor then applies its restart
    /// policy. False when no live actor is there.
    pub async fn kill(&self, path: &str) -> Result<bool, RuntimeError> {
        for (mount, entry) in self.registered() {
            match entry {
                Registered::Node(record) if mount == path => {
                    let cell = lock_std(&record.state).cell.clone();
                    return Ok(match cell {
                        Some(cell) => {
                            cell.kill();
                            true
                        }
                        None => false,
                    });
                }
                Registered::Subtree(subtree) if is_at_or_below(path, &mount) => {
                    return Ok(subtree.kill(path));
                }
                _ => {}
            }
        }
        Ok(false)
    }

    /// A stream of every supervision event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SupervisionEvent> {
        self.inner.events.subscribe()
    }

    /// Broadcasts `event`. Having no subscriber is normal, so a send error is dropped.
    pub(crate) fn emit(&self, event: SupervisionEvent) {
        match &event {
            SupervisionEvent::Failed { path, reason } => {
                tracing::warn!(%path, %reason, "actor failed");
            }
            SupervisionEvent::Escalated { path, reason } => {
                tracing::error!(%path, %reason, "restart intensity exceeded; escalating");
            }
            _ => tracing::debug!(?event, "supervision event"),
        }
        // No subscriber is the common case outside the admin endpoint; nothing is lost.
        let _ = self.inner.events.send(event);
    }

    /// Whether anyone listens; lets hot paths skip building event paths.
    pub(crate) fn has_subscribers(&self) -> bool {
        self.inner.events.receiver_count() > 0
    }

    /// Registers a supervisor or singleton actor at `path`, or returns the record already there
    /// (a restarted nested supervisor and its parent share one record).
    pub(crate) fn register_node(
        &self,
        path: &str,
        kind: &str,
    ) -> Result<Arc<NodeRecord>, RuntimeError> {
        let mut nodes = lock_std(&self.inner.nodes);
        match nodes.get(path) {
            Some(Registered::Node(record)) => return Ok(record.clone()),
            Some(Registered::Subtree(_)) => {
                return Err(RuntimeError::DuplicatePath {
                    path: path.to_owned(),
                });
            }
            None => {}
        }
        let record = Arc::new(NodeRecord {
            path: path.to_owned(),
            kind: kind.to_owned(),
            state: Mutex::new(NodeState {
                status: NodeStatus::Starting,
                restart_count: 0,
                last_failure: None,
                activated_at_unix_ms: now_unix_ms(),
                cell: None,
            }),
        });
        nodes.insert(path.to_owned(), Registered::Node(record.clone()));
        Ok(record)
    }

    /// The path of the registered node whose current actor is `actor_id`.
    pub(crate) fn path_of(&self, actor_id: ractor::ActorId) -> Option<String> {
        self.registered()
            .into_iter()
            .find_map(|(path, entry)| match entry {
                Registered::Node(record) => {
                    let state = lock_std(&record.state);
                    let current = state.cell.as_ref().map(ActorCell::get_id);
                    (current == Some(actor_id)).then_some(path)
                }
                Registered::Subtree(_) => None,
            })
    }

    /// Removes every registration at or below `path`.
    pub(crate) fn unregister_below(&self, path: &str) {
        lock_std(&self.inner.nodes).retain(|registered, _| !is_at_or_below(registered, path));
    }

    /// Registers a self-describing subtree mounted at `path`.
    pub(crate) fn register_subtree(
        &self,
        path: &str,
        subtree: Arc<dyn Subtree>,
    ) -> Result<(), RuntimeError> {
        self.insert(path, Registered::Subtree(subtree))
    }

    /// Removes the node or subtree at `path`.
    pub(crate) fn unregister(&self, path: &str) {
        lock_std(&self.inner.nodes).remove(path);
    }

    fn insert(&self, path: &str, entry: Registered) -> Result<(), RuntimeError> {
        let mut nodes = lock_std(&self.inner.nodes);
        if nodes.contains_key(path) {
            return Err(RuntimeError::DuplicatePath {
                path: path.to_owned(),
            });
        }
        nodes.insert(path.to_owned(), entry);
        Ok(())
    }

    /// A copy of the registrations, so no lock is held while subtrees are asked.
    fn registered(&self) -> Vec<(String, Registered)> {
        lock_std(&self.inner.nodes)
            .iter()
            .map(|(path, entry)| (path.clone(), entry.clone()))
            .collect()
    }

    fn tree_children_of(&self, path: &str) -> Vec<TreeNode> {
        fn locate(node: TreeNode, path: &str) -> Option<TreeNode> {
            if node.path == path {
                return Some(node);
            }
            node.children
                .into_iter()
                .find_map(|child| locate(child, path))
        }
        locate(self.tree(), path)
            .map(|node| node.children)
            .unwrap_or_default()
    }
}

impl NodeRecord {
    fn snapshot(&self) -> TreeNode {
        let state = lock_std(&self.state);
        TreeNode {
            path: self.path.clone(),
            name: last_segment(&self.path).to_owned(),
            kind: self.kind.clone(),
            status: state.status,
            restart_count: state.restart_count,
            last_failure: state.last_failure.clone(),
            inbox_depth: 0,
            activated_at_unix_ms: state.activated_at_unix_ms,
            children: Vec::new(),
        }
    }
}

/// Wall-clock Unix time in ms, for display only (activation times in the tree).
pub(crate) fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The last `/`-separated segment of `path`.
pub(crate) fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn parent_path(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(index) => &path[..index],
    }
}

fn depth(path: &str) -> usize {
    path.matches('/').count()
}

/// Whether `path` is `mount` or lies below it.
pub(crate) fn is_at_or_below(path: &str, mount: &str) -> bool {
    path == mount
        || (path.len() > mount.len()
            && path.starts_with(mount)
            && path[mount.len()..].starts_with('/'))
}

fn sort_children(node: &mut TreeNode) {
    node.children.sort_by(|a, b| a.path.cmp(&b.path));
    for child in &mut node.children {
        sort_children(child);
    }
}
