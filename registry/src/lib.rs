//! Registry library.
