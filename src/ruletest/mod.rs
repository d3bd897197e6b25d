//! Example-based rule tests (`nrscreen test`): cases with expected findings,
//! written in TOML beside the rules, and the coverage they reach.

pub(crate) mod coverage;
pub(crate) mod file;
pub(crate) mod run;
