// Package sqlite is the embedded default store backend: SQLite through the pure-Go
// modernc.org/sqlite driver (no cgo), in WAL mode with synchronous=NORMAL, so a committed
// transaction survives a crash of the process. Migrations are numbered SQL files embedded in the
// binary, each applied once in its own transaction and recorded in schema_migrations.
package sqlite
