//! The quality benchmark as a test: in a small world of
//! `scripts/score-sim.py`, tl-score's top N must beat the IPsum rule at
//! equal size (recall, precision, stopped share; not yet the benign share,
//! issue 16's reliability weights are for that), and the script's
//! self-check (a tiny world in both modes: labels add up, every column in
//! [0, 1]) must hold (docs/scoring.md, "List quality").

mod common;
use common::{bin_path, have_program, require};
use std::process::Command;

fn score_sim(args: &[&str]) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .current_dir(root)
        .arg("scripts/score-sim.py")
        .args(args)
        .arg("--tl-score")
        .arg(bin_path("tl-score"))
        .output()
        .expect("run score-sim.py");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn top_n_beats_the_ipsum_rule() {
    if !require(
        have_program("python3"),
        "python3 (runs scripts/score-sim.py)",
    ) {
        return;
    }
    let text = score_sim(&[
        "bench",
        "--markdown",
        "--seeds",
        "1",
        "--attackers",
        "4000",
        "--sensors",
        "100",
        "--noise-hosts",
        "5000",
        "--top",
        "1000",
    ]);
    // | list | entries | recall of active | precision | benign share | stopped share |
    let row = |prefix: &str| -> Vec<f64> {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no row {prefix}: {text}"));
        line.split('|')
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .skip(1)
            .map(|c| c.replace([',', '%'], "").trim().parse::<f64>().unwrap())
            .collect()
    };
    let (ours, ipsum) = (row("| its top"), row("| IPsum"));
    assert_eq!(ours[0], ipsum[0], "equal list sizes: {text}");
    assert!(ours[1] > 1.5 * ipsum[1], "recall: {text}");
    assert!(ours[2] > 1.5 * ipsum[2], "precision: {text}");
    assert!(ours[4] < ipsum[4], "stopped share: {text}");
}

#[test]
fn simulator_self_check() {
    if !require(
        have_program("python3"),
        "python3 (runs scripts/score-sim.py)",
    ) {
        return;
    }
    let text = score_sim(&["self-check"]);
    assert!(text.contains("both modes hold"), "{text}");
}
