//! Analytics library.
