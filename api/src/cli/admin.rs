//! `msez admin tree`: the node's supervision tree, pretty-printed, fetched over HTTP.
//!
//! Owns [`AdminCommand`] and the tree renderer; reaching the node is [`super::client`]'s job.
//!
//! Never: prints the token, or prints a partial tree when the request failed.

use clap::Subcommand;
use serde_json::Value;

use super::client::{ClientError, NodeArgs, NodeClient};

/// The `msez admin` commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Print the node's supervision tree: one line per node with kind, status, restarts and
    /// inbox depth.
    ///
    /// Example: `MSEZ_TOKEN=$(cat msez-data/admin.token) msez admin tree`.
    Tree(NodeArgs),
}

/// `msez admin tree`: the rendered tree.
pub fn tree(args: &NodeArgs) -> Result<String, ClientError> {
    let tree = NodeClient::connect(args)?.get_json("/v1/admin/supervision")?;
    let mut out = String::new();
    render(&tree, 0, &mut out);
    Ok(out)
}

/// One line per node, children indented by two spaces per level.
fn render(node: &Value, depth: usize, out: &mut String) {
    let text = |key: &str| node[key].as_str().unwrap_or("?").to_owned();
    let number = |key: &str| node[key].as_u64().unwrap_or(0);
    out.push_str(&"  ".repeat(depth));
    out.push_str(&format!(
        "{}  [{} {}] restarts={} inbox={}",
        text("path"),
        text("kind"),
        text("status"),
        number("restart_count"),
        number("inbox_depth"),
    ));
    if let Some(failure) = node["last_failure"].as_str() {
        out.push_str(&format!(" last_failure={failure:?}"));
    }
    out.push('\n');
    for child in node["children"].as_array().into_iter().flatten() {
        render(child, depth + 1, out);
    }
}
