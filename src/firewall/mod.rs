//! The firewall side: lists into rules that firewalls enforce, with two
//! rules everywhere — drop inbound traffic from `block-in`, drop and log
//! outbound traffic to `block-out` — and the allow-list first. `render`
//! writes a target's configuration; `fit` cuts lists to a device's
//! capacity and names what it left out; `lists` reads and guards the
//! lists. Nothing here prints.

pub mod apply;
pub mod error;
pub mod fit;
pub mod lists;
pub mod pull;
pub mod render;
pub mod target;

pub use error::Error;
pub use lists::Lists;
pub use render::{render, Options, Prepared, RenderPlan, RenderReport, Rendered, Source};
pub use target::{Target, Unit};
