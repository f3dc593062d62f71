//! The recording rules in `prometheus/` checked and unit-tested by Prometheus' own `promtool`.
//! Under `CI=true` a missing promtool fails the test; elsewhere it is reported and skipped.

use std::process::Command;

fn promtool(args: &[&str]) -> Option<std::process::Output> {
    match Command::new("promtool")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
    {
        Ok(out) => Some(out),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "promtool is needed under CI=true (apt-get install prometheus): {e}"
            );
            eprintln!("skipped: promtool not found ({e}); install Debian's `prometheus`");
            None
        }
    }
}

#[test]
fn recording_rules_are_valid_and_compute_the_ratios() {
    for args in [
        ["check", "rules", "prometheus/rules.yml"],
        ["test", "rules", "prometheus/rules_test.yml"],
        // The local chain's config, with its alerting rules (alerts.yml).
        ["check", "config", "prometheus/prometheus.yml"],
    ] {
        let Some(out) = promtool(&args) else { return };
        assert!(
            out.status.success(),
            "promtool {}:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
