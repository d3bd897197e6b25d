//! Property-test audits of a rule set (`nrscreen audit`): declared audits
//! and built-in ones, checked by `proptest` over generated case records,
//! with failures shrunk to the smallest breaking case.

mod case_text;
pub(crate) mod generate;
pub(crate) mod run;
