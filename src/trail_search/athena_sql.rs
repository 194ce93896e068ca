//! The SQL Athena runs for `trail search --athena`.
