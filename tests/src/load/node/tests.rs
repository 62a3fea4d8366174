//! Goal: the node supervisor SIGKILLs the process it started (not a wrapping shell) and
//! restarts it with the same command. Method: use `sleep` as the "node" and read /proc.

use super::*;

#[test]
fn node_kill_reaches_the_command_not_a_shell_and_restart_runs_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("node.log");
    let mut node = NodeProcess::start("sleep 30", &log).unwrap();
    let first_pid = node.pid();
    // Right after the fork the child still carries our name; once `sh` has exec'd `sleep`
    // (exec, not a child of the shell) it is called `sleep`. Wait for that, bounded.
    let comm = || std::fs::read_to_string(format!("/proc/{first_pid}/comm")).unwrap();
    for _ in 0..500 {
        if comm().trim() == "sleep" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(comm().trim(), "sleep", "exec replaced the shell");
    assert!(rss_bytes_of(first_pid).is_some());
    node.kill().unwrap();
    assert!(node.has_exited().unwrap());
    assert!(rss_bytes_of(first_pid).is_none());
    node.restart().unwrap();
    assert_ne!(node.pid(), first_pid);
    assert_eq!(node.start_count(), 2);
    assert!(!node.has_exited().unwrap());
    node.stop().unwrap();
    assert!(node.has_exited().unwrap());
}

#[test]
fn status_kib_reads_proc_status_fields() {
    let status = "Name:\tmsez\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
    assert_eq!(status_kib(status, "VmRSS:"), Some(102_400));
    assert_eq!(status_kib(status, "VmHWM:"), Some(204_800));
    assert_eq!(status_kib(status, "VmSwap:"), None);
}
