// Package store is the storage contract: the Store and Tx interfaces, the entity model and the
// sentinel errors. Backends live in subpackages (sqlite); every backend passes the conformance
// suite in storetest unchanged.
//
// Guarantees every backend gives:
//   - Atomicity: Update commits everything fn did, including appended audit events, or nothing.
//     A call that returned nil is durable (it survives a crash of the process).
//   - Isolation: Update transactions are serializable; fn may be retried, so it must have no
//     side effects outside the transaction.
//   - Names are unique per account and kind ignoring case, as IAM requires; the stored name
//     keeps its case.
//   - Errors: ErrNotFound, ErrExists and ErrConflict, wrapped, tested with errors.Is. Not found is
//     always an error, never a nil entity.
//   - Times are UTC.
//   - Listing is sorted by name ignoring case; markers name the last entry returned, so pages
//     stay stable while other entities are inserted.
//   - Audit events form a hash chain (package audit): each event's hash links it to the one
//     before it, in commit order.
package store
