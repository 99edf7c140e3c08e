package store

import (
	"context"
	"errors"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
)

// Sentinel errors. Backends wrap them; callers test with errors.Is.
var (
	// ErrNotFound: the entity, link or record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: an entity with the same kind and name (ignoring case) already exists.
	ErrExists = errors.New("store: already exists")
	// ErrConflict: the transaction lost a race it could not retry.
	ErrConflict = errors.New("store: conflict")
)

// Kind names a class of entity. Names are unique per (account, kind), ignoring case.
type Kind string

// The entity kinds iamd stores. Access keys are keyed by key ID, MFA devices by serial number,
// and account-wide singletons (password policy, alias, settings) by a fixed name.
const (
	KindAccount         Kind = "account"
	KindUser            Kind = "user"
	KindGroup           Kind = "group"
	KindRole            Kind = "role"
	KindPolicy          Kind = "policy"
	KindInstanceProfile Kind = "instance-profile"
	KindAccessKey       Kind = "access-key"
	KindMFADevice       Kind = "mfa-device"
	KindOIDCProvider    Kind = "oidc-provider"
	KindSAMLProvider    Kind = "saml-provider"
	KindSetting         Kind = "setting"
	// KindDeletionTask: a service-linked role deletion task, by its task ID.
	KindDeletionTask Kind = "slr-deletion-task"
	// KindAccessReport: a service last accessed report, by its job ID.
	KindAccessReport Kind = "access-report"
	// Credentials: SSH public keys, signing and service-specific credentials by ID, server
	// certificates by name.
	KindSSHPublicKey       Kind = "ssh-public-key"
	KindSigningCertificate Kind = "signing-certificate"
	KindServerCertificate  Kind = "server-certificate"
	KindServiceCredential  Kind = "service-credential"
	// KindPolicyGeneration: an Access Analyzer policy generation job, by its job ID.
	KindPolicyGeneration Kind = "policy-generation"
	// KindDelegationRequest: an IAM delegation request, by its ID.
	KindDelegationRequest Kind = "delegation-request"
)

// LinkKind names a relation between two entities, such as a group's members.
type LinkKind string

// The relations iamd stores. From and To are entity names (policy ARNs for attachments).
const (
	// LinkMember: group → user.
	LinkMember LinkKind = "member"
	// LinkUserPolicy, LinkGroupPolicy, LinkRolePolicy: entity → attached managed policy ARN.
	LinkUserPolicy  LinkKind = "user-policy"
	LinkGroupPolicy LinkKind = "group-policy"
	LinkRolePolicy  LinkKind = "role-policy"
	// LinkUserKey: user → access key ID ("" user = the root user).
	LinkUserKey LinkKind = "user-key"
	// LinkProfileRole: instance profile → role.
	LinkProfileRole LinkKind = "profile-role"
	// LinkUserMFA: user → MFA device serial.
	LinkUserMFA LinkKind = "user-mfa"
	// LinkUserSSHKey, LinkUserSigningCert, LinkUserServiceCred: user → credential ID. These are
	// keyed by the user's unique ID (not its name, so that a rename keeps them; "" = the root
	// user), and removed when the credential is deleted.
	LinkUserSSHKey      LinkKind = "user-ssh-key"
	LinkUserSigningCert LinkKind = "user-signing-cert"
	LinkUserServiceCred LinkKind = "user-service-cred"
	// LinkBoundary: user or role unique ID → the ARN of the managed policy that is its
	// permissions boundary. Keyed by unique ID (a rename keeps it; user and role IDs never
	// collide), so deleting the entity by name does not remove it: DeleteUser and DeleteRole do.
	LinkBoundary LinkKind = "boundary"
)

// Entity is one stored entity. Data is the entity's own JSON encoding (types in package iam);
// the store does not interpret it.
type Entity struct {
	Account string
	Kind    Kind
	// Name as the entity was created (its case is kept; lookups ignore case).
	Name string
	// ID is the entity's unique ID (AIDA…), or "" for kinds without one.
	ID string
	// Path is the IAM path ("/" when unused); List filters on its prefix.
	Path string
	// Created is when the entity was first stored (UTC).
	Created time.Time
	Data    []byte
}

// Page asks for one page of a listing: entries whose names sort after Marker (the marker of
// the previous page, opaque to callers), at most Limit of them.
type Page struct {
	PathPrefix string
	Marker     string
	Limit      int
}

// Event is one audit record to append with a transaction (see package audit for its format).
type Event struct {
	Time      time.Time
	Account   string
	Source    string // eventSource
	Name      string // eventName
	ID        string // eventID
	Username  string
	AccessKey string
	ReadOnly  bool
	// Resources are "type\x00name" pairs for lookups by ResourceType and ResourceName.
	Resources []string
	// Record is the CloudTrail record: its JSON, or its compact form (audit.AppendCompact),
	// which the store keeps as it is and hashes so, and gives back as JSON (StoredEvent).
	Record []byte
}

// SummarizedEvent returns the event of the record rec with the lookup columns s derives from
// it (audit.Summarize, or audit.SummarizeCompact of a compact record).
func SummarizedEvent(s audit.Summary, rec []byte) *Event {
	return &Event{Time: s.Time, Account: s.Account, Source: s.Source, Name: s.Name, ID: s.ID, Username: s.Username,
		AccessKey: s.AccessKey, ReadOnly: s.ReadOnly, Resources: s.Resources, Record: rec}
}

// StoredEvent is an appended event with its position and chain hash. Its Record is the
// CloudTrail JSON.
type StoredEvent struct {
	Seq  int64
	Hash [32]byte
	Event
	// Stored is the record as the store keeps it and the chain hashes it when that is not
	// Record: a record appended in the compact form (audit.AppendCompact), of which Record is
	// the JSON. Nil when the record is kept as JSON.
	Stored []byte
}

// Chained returns the bytes of the record the chain hash covers: Stored, or else Record.
func (e *StoredEvent) Chained() []byte {
	if e.Stored != nil {
		return e.Stored
	}
	return e.Record
}

// EventFilter selects events for LookupEvents: all set fields must match.
type EventFilter struct {
	Account    string
	Start, End time.Time // zero: unbounded
	Name       string
	ID         string
	Username   string
	AccessKey  string
	Source     string
	ReadOnly   *bool
	Resource   string // "type\x00name", "type\x00", or "\x00name"
	BeforeSeq  int64  // 0: newest first from the end
	Limit      int
}

// Checkpoint is where a pruned trail starts: the Seq and chain hash of the last event
// pruned. The first remaining event is Seq+1 and links from Hash (audit.ResumeVerifier).
type Checkpoint struct {
	Seq  int64
	Hash [32]byte
}

// Reader is the read side of a transaction.
type Reader interface {
	// Get returns the entity of the kind and name (ignoring case), or ErrNotFound.
	Get(ctx context.Context, account string, kind Kind, name string) (*Entity, error)
	// GetByID returns the entity with the unique ID, or ErrNotFound.
	GetByID(ctx context.Context, account string, kind Kind, id string) (*Entity, error)
	// List returns entities of a kind sorted by name ignoring case, after p.Marker, at most
	// p.Limit (0: all), and the marker of the next page ("" when this page is the last).
	List(ctx context.Context, account string, kind Kind, p Page) ([]*Entity, string, error)
	// Count returns the number of entities of the kind in the account.
	Count(ctx context.Context, account string, kind Kind) (int, error)
	// Links returns the names linked from `from` by the relation, sorted ignoring case.
	Links(ctx context.Context, account string, kind LinkKind, from string) ([]string, error)
	// LinksTo returns the names linking to `to` by the relation, sorted ignoring case.
	LinksTo(ctx context.Context, account string, kind LinkKind, to string) ([]string, error)
}

// Tx is a read-write transaction.
type Tx interface {
	Reader
	// Create stores a new entity; ErrExists if the name (ignoring case) is taken.
	Create(ctx context.Context, e *Entity) error
	// Update replaces the entity of e's kind and name; ErrNotFound if there is none.
	Update(ctx context.Context, e *Entity) error
	// Delete removes the entity and every link from or to it; ErrNotFound if absent.
	Delete(ctx context.Context, account string, kind Kind, name string) error
	// Link adds the relation (adding it twice is not an error); Unlink removes it, ErrNotFound
	// if absent.
	Link(ctx context.Context, account string, kind LinkKind, from, to string) error
	Unlink(ctx context.Context, account string, kind LinkKind, from, to string) error
	// Append adds audit events, chained after the last stored one; they commit or roll back
	// with the transaction.
	Append(ctx context.Context, events ...*Event) error
}

// Store is a backend. Update runs fn in a serializable read-write transaction and commits if
// fn returns nil; fn may run more than once, so it must have no effects outside tx. View runs
// fn on a consistent snapshot.
type Store interface {
	Update(ctx context.Context, fn func(tx Tx) error) error
	View(ctx context.Context, fn func(r Reader) error) error
	// Record appends audit events that belong to no transaction (reads, denials, failed
	// calls). When it returns nil they survive a crash of the process, and they come in the
	// chain before the events of any Update that begins after it returned; Events, Chain,
	// SeqAt and SeqFitting called after it returned see them. Concurrent calls are allowed; a
	// backend may index the events after returning (as the SQLite backend's record journal does).
	// ctx's cancellation does not stop it: the events of a request whose client hung up are
	// written too. The columns of an event whose record is compact (audit.AppendCompact) must
	// be those the record implies (audit.SummarizeCompact): a backend may keep only the record
	// and give back the columns it derives (the SQLite record journal's frames do). Record
	// keeps nothing of the events once it has returned: the caller may reuse them and their
	// bytes.
	Record(ctx context.Context, events ...*Event) error
	// Events returns events matching f, newest first.
	Events(ctx context.Context, f EventFilter) ([]*StoredEvent, error)
	// Chain returns events with Seq > after in order, at most limit (for verification and export).
	Chain(ctx context.Context, after int64, limit int) ([]*StoredEvent, error)
	// Prune deletes the audit events with Seq < beforeSeq, except the last event, which is
	// always kept so that the chain (and the sequence) continue from it. In the same
	// transaction it records the Seq and hash of the last event deleted as the Checkpoint,
	// from which the remaining trail verifies. It returns how many events it deleted.
	Prune(ctx context.Context, beforeSeq int64) (int64, error)
	// Checkpoint returns the checkpoint of the last Prune that deleted events, or the zero
	// Checkpoint (Seq 0, the zero hash: the start of an unpruned trail).
	Checkpoint(ctx context.Context) (Checkpoint, error)
	// SeqAt returns the Seq of the first event, in Seq order, whose Time is at or after t, or
	// the Seq the next appended event will get when there is none: Prune(SeqAt(t)) deletes the
	// events older than t (records are in commit order, which follows event time closely).
	SeqAt(ctx context.Context, t time.Time) (int64, error)
	// SeqFitting returns the smallest Seq such that the records (Event.Record bytes) of the
	// events from it to the newest total at most maxBytes, or 0 when the whole trail fits:
	// Prune(SeqFitting(n)) keeps the newest records within n bytes (and always the newest).
	SeqFitting(ctx context.Context, maxBytes int64) (int64, error)
	Close() error
}
