//! The quality benchmark as a test: in the simulated world of
//! `scripts/score-sim.py`, the default list must beat the IPsum rule at
//! equal size and list no benign host (docs/scoring.md, "Quality").

mod common;
use common::{bin_path, have_program, require};
use std::process::Command;

#[test]
fn default_list_beats_the_ipsum_rule() {
    if !require(
        have_program("python3"),
        "python3 (runs scripts/score-sim.py)",
    ) {
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .current_dir(root)
        .args([
            "scripts/score-sim.py",
            "bench",
            "--seeds",
            "1,6",
            "--attackers",
            "1500",
            "--days",
            "20",
        ])
        .arg("--tl-score")
        .arg(bin_path("tl-score"))
        .output()
        .expect("run score-sim.py");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // | seed | active | list | size | recall | recall without spam | precision | benign | stopped | stopped > 1 day |
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| l.contains("tl-score") || l.contains("IPsum"))
        .map(|l| {
            l.split('|')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 4, "{text}");
    for pair in rows.chunks(2) {
        let (ours, ipsum) = (&pair[0], &pair[1]);
        let num = |r: &Vec<String>, i: usize| r[i].parse::<f64>().unwrap();
        assert_eq!(ours[3], ipsum[3], "equal list sizes: {text}");
        assert!(num(ours, 4) > 1.5 * num(ipsum, 4), "recall: {text}");
        assert!(num(ours, 6) > 1.5 * num(ipsum, 6), "precision: {text}");
        assert_eq!(num(ours, 7), 0.0, "benign share: {text}");
        assert!(num(ours, 9) < num(ipsum, 9), "stopped over a day: {text}");
    }
}
