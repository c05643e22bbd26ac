//! External dynamic lists (Palo Alto) and external threat feeds
//! (FortiGate): a plain text page per block list, one entry a line (an
//! address, a CIDR or a range `a-b`), served to the device over HTTP(S).
//! The device applies them in its own policies, so the allow-list is
//! already taken out of both lists.

use super::{Options, Prepared, Rendered};
use crate::set::{ListFormat, ListPrinter};

pub fn render(p: &Prepared, o: &Options) -> Rendered {
    let printer = ListPrinter {
        format: ListFormat::Range,
        ..ListPrinter::default()
    };
    let page = |set| {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = printer.print(set, &mut out);
        out
    };
    Rendered {
        files: vec![
            (format!("{}-block-in.txt", o.name), page(&p.block_in.set)),
            (format!("{}-block-out.txt", o.name), page(&p.block_out.set)),
        ],
    }
}
