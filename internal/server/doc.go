// Package server wires iamd together: it opens the data directory (seal keys, SQLite database),
// creates the default account and its root credentials on first start, builds the services and
// the API handler, and runs the listener until its context ends.
package server
