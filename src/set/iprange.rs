//! iprange's input dialect.
use crate::net::{Entry, ParseError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IprangeSyntax {
    pub fix_network: bool,
    pub default_prefix: u32,
}

pub fn parse_entry(_text: &[u8], _s: &IprangeSyntax) -> Result<Entry, ParseError> {
    Err(ParseError::NotAnAddress)
}
