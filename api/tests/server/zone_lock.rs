//! The zone lock route: a node started from a zone file serves exactly the lock
//! `msez zone lock` computes for it; a node without one says so with a 404.

use super::support::{WATCHER, example_zone, start, start_with_zone};

#[tokio::test]
async fn zone_lock_is_the_lock_the_node_was_started_with() {
    let node = start_with_zone().await;
    let reply = node.get("/v1/zone/lock", Some(WATCHER)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let expected = example_zone().lock.to_bytes().unwrap();
    assert_eq!(reply.text.as_bytes(), expected.as_slice());
    assert_eq!(reply.json()["zone_id"], "pk-rsez");
    node.get("/v1/zone/lock", None)
        .await
        .assert_error(401, "unauthenticated", None);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn zone_lock_is_404_without_a_zone_file() {
    let node = start().await;
    node.get("/v1/zone/lock", Some(WATCHER))
        .await
        .assert_error(404, "not_found", None);
    node.node.shutdown().await.unwrap();
}
