//! External dynamic lists (Palo Alto) and external threat feeds
//! (FortiGate): a plain text page per block list, one entry a line (an
//! address, a CIDR or a range `a-b`), served to the device over HTTP(S).
//! The device applies them in its own policies, so the allow-list is
//! already taken out of both lists.

use super::quote::ranges;
use super::{Options, Prepared, Rendered};

pub fn render(p: &Prepared, o: &Options) -> Rendered {
    // A CIDR when the range is one, else `first-last`; both devices take
    // either.
    let page = |set| {
        ranges(set)
            .iter()
            .flat_map(|r| [r.as_bytes(), b"\n"].concat())
            .collect()
    };
    Rendered {
        files: vec![
            (format!("{}-block-in.txt", o.name), page(&p.block_in.set)),
            (format!("{}-block-out.txt", o.name), page(&p.block_out.set)),
        ],
    }
}
