//! End-to-end tests live in `tests/`: they drive the built Switchboard binary in headless Chromium.
