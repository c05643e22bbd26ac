//! Generic CSV / TSV logs read through a column mapping (not yet read).

use super::{Context, Event, Skip};

/// Which column holds which field of an [`Event`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {}

pub(super) fn parse(_line: &str, _cx: &mut Context) -> Result<Option<Event>, Skip> {
    Err(Skip::Unsupported)
}
