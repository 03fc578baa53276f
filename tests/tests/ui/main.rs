//! Every browser test in one binary: the built server and headless Chromium, driven through
//! ChromeDriver. `harness` starts both; each module is a story. Run one with, for example,
//! `cargo test -p tests --test ui supervision::`.

#[macro_use]
mod harness;

mod accessibility;
mod basics;
mod escalation;
mod inbox;
mod phone;
mod reports;
mod supervision;
mod wellbeing;
