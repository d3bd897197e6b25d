//! Example-based rule tests (`nrscreen test`): cases with expected findings,
//! written in TOML beside the rules, and the coverage they reach.

pub mod coverage;
pub mod file;
pub mod run;
