//! The clinical vocabulary as types: no diesel, no actix, no I/O. Values are parsed at the edge
//! (forms, CSV, the database) into these types and trusted inside.

pub mod vocabulary;
