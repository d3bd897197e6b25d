//! Tests of the brief's data model.
