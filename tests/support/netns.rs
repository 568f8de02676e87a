//! Tests that run in a private network namespace (`unshare -n`): only loopback, so
//! links and routes can be changed and packets dropped without touching the machine's.

use std::process::Command;

/// Set in the copy of the test that runs inside the namespace.
const INSIDE: &str = "OUTPOST_TEST_IN_NETNS";

/// Outside the namespace: runs `test` again inside a new one and fails with its output when
/// it fails. Inside: true, and the test goes on.
pub fn inside_namespace(test: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("unshare")
        .args(["--net", "--"])
        .arg(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .expect("unshare runs (util-linux)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{test} in a private network namespace (unshare -n; needs root or user namespaces, \
         and nftables: ./scripts/test installs it) failed:\n{text}"
    );
    false
}
