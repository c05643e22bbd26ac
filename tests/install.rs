//! What gets installed: `scripts/install.sh` (make install) puts every
//! binary, man page, completion and example where the tools' users look,
//! and removes them all again; the Debian package's assets (Cargo.toml)
//! cover the same files. The package itself is built, installed and
//! removed by `.ci/run`.

mod common;

use common::{bin_path, under_ci};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Files of a repository directory whose names `keep` accepts, sorted,
/// relative to the repository.
fn files(dir: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| keep(n))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    out.sort();
    out
}

fn tools() -> Vec<String> {
    files("src/bin", |n| n.ends_with(".rs"))
        .iter()
        .map(|f| f["src/bin/".len()..].trim_end_matches(".rs").to_string())
        .collect()
}

/// The example files installed as documentation: examples/README.md and
/// every file of every subdirectory (not the cargo examples beside them).
fn example_files() -> Vec<String> {
    let mut out = vec!["examples/README.md".to_string()];
    for e in std::fs::read_dir(root().join("examples")).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            let dir = format!("examples/{}", p.file_name().unwrap().to_string_lossy());
            out.extend(files(&dir, |_| true));
        }
    }
    out.sort();
    out
}

/// Repository file → installed path (below the prefix, for make install).
fn expected_install() -> BTreeMap<String, String> {
    let mut want = BTreeMap::new();
    for f in files("man", |n| n.ends_with(".1")) {
        want.insert(f.clone(), format!("share/man/man1/{}", &f["man/".len()..]));
    }
    for f in files("completions", |_| true) {
        let name = &f["completions/".len()..];
        let dest = if let Some(tool) = name.strip_suffix(".bash") {
            format!("share/bash-completion/completions/{tool}")
        } else if name.ends_with(".fish") {
            format!("share/fish/vendor_completions.d/{name}")
        } else {
            assert!(name.starts_with('_'), "completions/{name}: which shell?");
            format!("share/zsh/site-functions/{name}")
        };
        want.insert(f, dest);
    }
    for f in example_files() {
        want.insert(f.clone(), format!("share/doc/threatlist/{f}"));
    }
    for f in files("docs", |n| n.ends_with(".md")) {
        want.insert(f.clone(), format!("share/doc/threatlist/{f}"));
    }
    want
}

/// Every file below `dir`, relative to it.
fn tree(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out
}

fn install_sh(args: &[&str], bin_dir: &Path) -> std::process::Output {
    Command::new(root().join("scripts/install.sh"))
        .args(args)
        .env("TL_BIN_DIR", bin_dir)
        .output()
        .unwrap()
}

#[test]
fn install_sh_installs_everything_and_uninstall_removes_it() {
    let bin_dir: PathBuf = bin_path("tl-set").parent().unwrap().to_path_buf();
    let d = tempfile::tempdir().unwrap();
    // a prefix with a space: paths are quoted throughout
    let dest = d.path().join("dest dir");
    let o = install_sh(&[dest.to_str().unwrap(), "/opt/tl"], &bin_dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let prefix = dest.join("opt/tl");

    let mut want = expected_install();
    for tool in tools() {
        want.insert(format!("@bin/{tool}"), format!("bin/{tool}"));
    }
    let got = tree(&prefix);
    let want_paths: BTreeSet<String> = want.values().cloned().collect();
    assert_eq!(got, want_paths);
    for (src, dest) in &want {
        let installed = std::fs::read(prefix.join(dest)).unwrap();
        let source = match src.strip_prefix("@bin/") {
            Some(tool) => bin_dir.join(tool),
            None => root().join(src),
        };
        assert!(installed == std::fs::read(&source).unwrap(), "{dest}");
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(prefix.join(dest))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        let exec = src.starts_with("@bin/") || src == "examples/firewall/threatlist-fw";
        assert_eq!(mode, if exec { 0o755 } else { 0o644 }, "{dest}");
    }

    let o = install_sh(
        &["--uninstall", dest.to_str().unwrap(), "/opt/tl"],
        &bin_dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(tree(&dest), BTreeSet::new());
}

#[test]
fn install_sh_refuses_without_the_binaries() {
    let d = tempfile::tempdir().unwrap();
    let o = install_sh(&[d.path().to_str().unwrap(), "/usr"], d.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is missing: run cargo build --release"),
        "{err}"
    );
    assert_eq!(tree(d.path()), BTreeSet::new(), "nothing installed");
}

/// `[package.metadata.deb] assets`: (source pattern, destination, mode).
fn deb_assets() -> (bool, Vec<(String, String, String)>) {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let manifest: toml::Value = toml::from_str(&text).unwrap();
    let assets = manifest["package"]["metadata"]["deb"]["assets"]
        .as_array()
        .expect("assets");
    let mut auto = false;
    let mut out = Vec::new();
    for a in assets {
        match a {
            toml::Value::String(s) if s == "$auto" => auto = true,
            toml::Value::Array(v) => {
                let s: Vec<String> = v.iter().map(|x| x.as_str().unwrap().to_string()).collect();
                out.push((s[0].clone(), s[1].clone(), s[2].clone()));
            }
            other => panic!("asset {other:?}"),
        }
    }
    (auto, out)
}

/// `dir/*suffix`-style patterns (one `*`, in the file name).
fn glob(pattern: &str) -> Vec<String> {
    let (dir, name) = pattern.rsplit_once('/').unwrap();
    let Some((pre, post)) = name.split_once('*') else {
        return if root().join(pattern).is_file() {
            vec![pattern.to_string()]
        } else {
            vec![]
        };
    };
    files(dir, |n| {
        n.len() >= pre.len() + post.len() && n.starts_with(pre) && n.ends_with(post)
    })
}

/// The package installs what make install does (under /usr, zsh
/// completions in Debian's vendor directory), and the systemd units.
#[test]
fn deb_assets_cover_every_file() {
    let (auto, assets) = deb_assets();
    assert!(auto, "\"$auto\": every binary of src/bin");
    let in_cmd: BTreeSet<String> = threatlist::cmd::all()
        .iter()
        .map(|t| t.command.get_name().to_string())
        .collect();
    let mut got: BTreeSet<(String, String)> = BTreeSet::new();
    for (src, dest, mode) in &assets {
        let matched = glob(src);
        if matched.is_empty() {
            // a completion of a tool being added (no cmd::all() entry yet)
            let tool = src
                .trim_start_matches("completions/")
                .trim_end_matches(".bash");
            if in_cmd.contains(tool) || under_ci() {
                panic!("deb asset {src} matches no file");
            }
            eprintln!("NOTE: deb asset {src}: no such file yet ({tool} is not in cmd::all())");
            continue;
        }
        assert_eq!(mode, "644", "{src}");
        for f in matched {
            let to = match dest.strip_suffix('/') {
                Some(d) => format!("{d}/{}", f.rsplit('/').next().unwrap()),
                None => dest.clone(),
            };
            got.insert((f, to));
        }
    }
    let mut want: BTreeSet<(String, String)> = expected_install()
        .into_iter()
        .map(|(src, dest)| {
            let dest = dest.replace("share/zsh/site-functions/", "share/zsh/vendor-completions/");
            (src, format!("usr/{dest}"))
        })
        .collect();
    for f in files("examples/systemd", |_| true) {
        let name = f.rsplit('/').next().unwrap().to_string();
        want.insert((f, format!("usr/lib/systemd/system/{name}")));
    }
    assert_eq!(got, want);
    // every tool has its bash completion under its own name
    for tool in tools() {
        assert!(
            assets
                .iter()
                .any(|(_, d, _)| *d == format!("usr/share/bash-completion/completions/{tool}")),
            "no bash completion asset for {tool}"
        );
    }
}
