//! Rule-file text to syntax tree: spans, the AST, the pest parser and the
//! wording of syntax errors. Nothing here reads files or knows the schema.

#[cfg(test)]
pub(crate) mod arbitrary;
pub mod ast;
pub(crate) mod depth;
pub(crate) mod operators;
pub mod parser;
pub mod print;
pub mod span;
pub(crate) mod syntax_error;
