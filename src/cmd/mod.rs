//! Each tool's command line and top-level flow. Binaries are one line each;
//! keeping the clap definitions here lets one test render every man page and
//! completion from them.

pub mod compile;
pub mod fw;
pub mod geo;
pub mod ingest;
pub mod logs;
pub mod query;
pub mod score;
pub mod set;
pub mod update;
pub mod zone;

/// A tool's clap definition and the extra sections of its help and man page.
pub struct ToolDoc {
    pub command: clap::Command,
    pub sections: &'static [(&'static str, &'static str)],
}

/// Every tool, for man pages and completions.
pub fn all() -> Vec<ToolDoc> {
    vec![
        ToolDoc {
            command: set::command(),
            sections: set::SECTIONS,
        },
        ToolDoc {
            command: ingest::command(),
            sections: ingest::SECTIONS,
        },
        ToolDoc {
            command: geo::command(),
            sections: geo::SECTIONS,
        },
        ToolDoc {
            command: zone::command(),
            sections: zone::SECTIONS,
        },
        ToolDoc {
            command: compile::command(),
            sections: compile::SECTIONS,
        },
        ToolDoc {
            command: query::command(),
            sections: query::SECTIONS,
        },
        ToolDoc {
            command: score::command(),
            sections: score::SECTIONS,
        },
        ToolDoc {
            command: fw::command(),
            sections: fw::SECTIONS,
        },
        ToolDoc {
            command: logs::command(),
            sections: logs::SECTIONS,
        },
        ToolDoc {
            command: update::command(),
            sections: update::SECTIONS,
        },
    ]
}

/// Adds the sections to `--help` (short: examples only; long: all).
pub(crate) fn with_sections(cmd: clap::Command, sections: &[(&str, &str)]) -> clap::Command {
    let render = |all: bool| {
        sections
            .iter()
            .filter(|(title, _)| all || *title == "EXAMPLES")
            .map(|(title, body)| {
                let body: String = body.lines().map(|l| format!("  {l}\n")).collect();
                format!("{title}:\n{body}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    cmd.after_help(render(false)).after_long_help(render(true))
}
