//! The man pages under `man/` and the completions under `completions/` are
//! generated from the same clap definitions as `--help`. This test fails when
//! a committed file is stale; `TL_UPDATE_DOCS=1 cargo test --test docs`
//! rewrites them.

use std::path::{Path, PathBuf};

/// A man page: clap_mangen's standard sections, then the tool's own
/// sections (examples, exit status, ...) as preformatted text.
fn render_man(cmd: &clap::Command, name: &str, sections: &[(&str, &str)]) -> Vec<u8> {
    let man = clap_mangen::Man::new(cmd.clone().name(name.to_string()));
    let mut buf = Vec::new();
    man.render_title(&mut buf).unwrap();
    man.render_name_section(&mut buf).unwrap();
    man.render_synopsis_section(&mut buf).unwrap();
    man.render_description_section(&mut buf).unwrap();
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf).unwrap();
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut buf).unwrap();
    }
    for (title, body) in sections {
        buf.extend_from_slice(format!(".SH \"{title}\"\n.nf\n").as_bytes());
        for line in body.lines() {
            let line = line.replace('\\', "\\e");
            let line = if line.starts_with(['.', '\'']) {
                format!("\\&{line}")
            } else {
                line
            };
            buf.extend_from_slice(line.as_bytes());
            buf.push(b'\n');
        }
        buf.extend_from_slice(b".fi\n");
    }
    if cmd.get_version().is_some() {
        man.render_version_section(&mut buf).unwrap();
    }
    buf
}

/// Every generated file: path relative to the repository, and its content.
fn generated() -> Vec<(PathBuf, Vec<u8>)> {
    use clap_complete::{generate, Shell};
    let mut files = Vec::new();
    for tool in threatlist::cmd::all() {
        let mut cmd = tool.command;
        let name = cmd.get_name().to_string();
        cmd.build();
        files.push((
            PathBuf::from(format!("man/{name}.1")),
            render_man(&cmd, &name, tool.sections),
        ));
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let sub_name = format!("{name}-{}", sub.get_name());
            files.push((
                PathBuf::from(format!("man/{sub_name}.1")),
                render_man(sub, &sub_name, &[]),
            ));
        }
        for (shell, file) in [
            (Shell::Bash, format!("{name}.bash")),
            (Shell::Zsh, format!("_{name}")),
            (Shell::Fish, format!("{name}.fish")),
        ] {
            let mut buf = Vec::new();
            generate(shell, &mut cmd, name.clone(), &mut buf);
            files.push((PathBuf::from(format!("completions/{file}")), buf));
        }
    }
    files
}

#[test]
fn man_pages_and_completions_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("TL_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (rel, content) in generated() {
        let path = root.join(&rel);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &content).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&content[..]) {
            stale.push(rel.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale or missing generated files (run `TL_UPDATE_DOCS=1 cargo test --test docs`): {stale:?}"
    );
}
