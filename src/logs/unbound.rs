//! Unbound query and RPZ logs (not yet read).

use super::{Context, Event, Skip};

pub(super) fn looks_like(_line: &str) -> bool {
    false
}

pub(super) fn parse(_line: &str, _cx: &mut Context) -> Result<Option<Event>, Skip> {
    Err(Skip::Unsupported)
}
