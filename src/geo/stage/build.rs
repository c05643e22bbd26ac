//! The build stage: CSV rows to a MaxMind DB file, replaced atomically.

use crate::error::InputError;
use crate::files::{self, Output};
use crate::geo::writer::{self, BuildError, BuildOptions, Row};
use crate::geo::{Error, Place};
use crate::net::{CidrIter, Entry};
use std::io::Write;
use std::path::PathBuf;

/// What to build.
#[derive(Clone, Debug, Default)]
pub struct BuildPlan {
    /// CSV inputs (`-` is stdin); none means stdin. Rows are
    /// `network,country[,asn[,org]]` or `start,end,country[,asn[,org]]`.
    pub inputs: Vec<String>,
    /// The database to write, replaced atomically (`-` is stdout).
    pub output: PathBuf,
    /// What the metadata says.
    pub options: BuildOptions,
}

/// What was built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildReport {
    /// CSV rows read (each a network or a range).
    pub rows: usize,
    /// CIDR networks the rows make.
    pub networks: usize,
    /// `database_type` in the metadata.
    pub database_type: String,
    /// The file written.
    pub output: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
}

/// Reads the plan's CSV inputs and writes the database. Refuses bad rows,
/// overlapping networks, and inputs without any network.
pub fn build(plan: &BuildPlan) -> Result<BuildReport, Error> {
    let (rows, names) = read_inputs(&plan.inputs)?;
    if rows.is_empty() {
        return Err(Error::NoNetworks);
    }
    let bytes = writer::build_mmdb(&rows, &plan.options).map_err(|e| placed(e, &rows, &names))?;
    write_output(&plan.output, &bytes)?;
    Ok(BuildReport {
        rows: rows.len(),
        networks: rows.iter().map(|r| networks(&r.entry)).sum(),
        database_type: writer::database_type(&rows, &plan.options).to_string(),
        output: plan.output.clone(),
        bytes: bytes.len(),
    })
}

/// The rows of every input, and the inputs' names (indexed by `Row::file`).
fn read_inputs(inputs: &[String]) -> Result<(Vec<Row>, Vec<String>), Error> {
    let stdin = ["-".to_string()];
    let inputs = if inputs.is_empty() {
        &stdin[..]
    } else {
        inputs
    };
    let mut rows = Vec::new();
    let mut names = Vec::new();
    for (i, name) in inputs.iter().enumerate() {
        let inp = files::open(name).map_err(|e| InputError::io(name, &e))?;
        rows.extend(writer::read_csv(i, inp.reader).map_err(|e| e.in_file(&inp.name))?);
        names.push(inp.name);
    }
    Ok((rows, names))
}

/// A refusal of the encoder, naming the files and lines of its rows.
fn placed(e: BuildError, rows: &[Row], names: &[String]) -> Error {
    let at = |i: usize| Place {
        file: names[rows[i].file].clone(),
        line: rows[i].line,
    };
    match e {
        BuildError::Overlap { row, earlier } => Error::Overlap {
            row: at(row),
            earlier: at(earlier),
        },
        BuildError::ReservedSpace { row } => Error::ReservedSpace { row: at(row) },
        BuildError::TooLarge => Error::TooLarge,
    }
}

fn networks(e: &Entry) -> usize {
    match *e {
        Entry::V4(r) => CidrIter::new(r).count(),
        Entry::V6(r) => CidrIter::new(r).count(),
    }
}

/// Replaces `path` with the database (or writes it to stdout for `-`).
fn write_output(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    let name = path.display().to_string();
    let mut out = if path.as_os_str() == "-" {
        Output::stdout()
    } else {
        Output::file(path).map_err(|e| InputError::io(&name, &e))?
    };
    out.write_all(bytes).map_err(Error::Output)?;
    out.finish().map_err(|e| InputError::io(&name, &e))?;
    Ok(())
}
