//! Rule-file text to syntax tree: the grammar, the operator table, the AST,
//! the parser and printer, the nesting limits, recovery after syntax errors
//! and their wording. Nothing here reads files or knows the schema.

#[cfg(test)]
pub(crate) mod arbitrary;
pub(crate) mod ast;
pub(crate) mod depth;
pub(crate) mod format;
pub(crate) mod grammar;
pub(crate) mod lexeme;
pub(crate) mod operators;
pub(crate) mod parser;
pub(crate) mod print;
pub(crate) mod recovery;
pub(crate) mod syntax_error;
