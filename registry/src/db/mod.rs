//! Everything diesel: connections, embedded migrations, the generated schema, row types and
//! queries. The only place SQL types appear.
