package polgen

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/policy"
)

// Options configure a Generator.
type Options struct {
	// Principal is the ARN of the IAM user (arn:aws:iam::ACCOUNT:user/PATH/NAME) or role
	// (arn:aws:iam::ACCOUNT:role/PATH/NAME) whose activity is read, spelt as IAM reports it (with
	// its path and the case of its name). Records match it exactly. For a role every session
	// counts (records whose sessionContext.sessionIssuer.arn is the role).
	Principal string
	// From and To bound the window [From, To) on eventTime; a zero value is unbounded.
	From, To time.Time
	// Kind is the policy type the result must fit (its size quota); zero means policy.Identity.
	Kind policy.Kind
	// Catalog is the AWS action catalog; nil loads the embedded one (which takes a few ms).
	Catalog *catalog.Catalog
	// Lint is Catalog adapted for policy.Lint (lintcat.Adapt), with which the result is
	// validated; nil adapts the part of Catalog generation needs when Result is first called.
	Lint *policy.Catalog
	// IAMPath returns the path ("/", "/apps/") of an IAM entity of the principal's account by
	// kind ("user", "role", "group", "policy", "instance-profile") and name, for records that
	// name an entity without showing its path; nil, or false, and a record of the principal
	// that shows the entity's ARN, or the root path is assumed.
	IAMPath func(kind, name string) (path string, ok bool)
	// Current holds the principal's policies today, for the diff; nil means they are unknown
	// (the principal is not in iamd's store), and the result has no Diff.
	Current *Current
}

// Current is what the principal is granted today.
type Current struct {
	// Policies are the principal's identity-based policies: a user's inline and attached
	// policies and those of its groups, a role's inline and attached policies.
	Policies []CurrentPolicy
	// Boundary is the permissions boundary document, or "" when there is none.
	Boundary string
}

// CurrentPolicy is one identity-based policy the principal has.
type CurrentPolicy struct {
	Name     string // inline policy name or managed policy ARN, for messages
	Document string
}

// Generator accumulates the activity of one principal. It is not safe for concurrent use.
type Generator struct {
	o         Options
	cat       *catalog.Catalog
	partition string
	account   string
	isRole    bool
	needle    []byte // the principal ARN, searched for before a record is decoded

	used     map[string]*usage // by canonical action name
	denied   map[string]*deniedUse
	unmapped map[string]int // "source eventName" → records
	free     map[string]int // actions that need no permission → calls
	actions  map[eventKey]mapping
	// templates caches parsed ARN formats.
	templates map[*catalog.ResourceType]*template
	// rootPath holds IAM ARNs built with an assumed root path; paths the IAM ARNs records
	// showed, by "kind/lower-case name".
	rootPath map[string]bool
	paths    map[string]string
	stats    Stats
}

// Stats counts the records a Generator saw.
type Stats struct {
	Records      int // records passed to Add
	Matched      int // records of the principal in the window
	OtherCaller  int // records of other principals or accounts
	OutOfWindow  int // records of the principal outside [From, To)
	NotAPICall   int // records of the principal that are not API calls (console sign-in, service events)
	Denied       int // matched records denied access
	Unmapped     int // matched records whose action the catalog does not know
	NoPermission int // matched records of actions that need no permission (NeedsNoPermission), left out
	FirstEvent   time.Time
	LastEvent    time.Time
	ServicesUsed int
}

// New returns a Generator for o.
func New(o Options) (*Generator, error) {
	a, err := arn.Parse(o.Principal)
	if err != nil {
		return nil, fmt.Errorf("polgen: principal: %w", err)
	}
	g := &Generator{o: o, partition: a.Partition, account: a.Account,
		used: map[string]*usage{}, denied: map[string]*deniedUse{}, unmapped: map[string]int{}, free: map[string]int{}, actions: map[eventKey]mapping{},
		templates: map[*catalog.ResourceType]*template{}, rootPath: map[string]bool{}, paths: map[string]string{}}
	switch {
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
		g.isRole = true
	default:
		return nil, fmt.Errorf("polgen: principal %s is not an IAM user or role ARN", o.Principal)
	}
	if !o.To.IsZero() && !o.From.IsZero() && !o.From.Before(o.To) {
		return nil, errors.New("polgen: the window's start is not before its end")
	}
	if g.o.Kind == 0 {
		g.o.Kind = policy.Identity
	}
	if policy.SizeLimit(g.o.Kind) == 0 {
		return nil, fmt.Errorf("polgen: cannot generate a %s policy", g.o.Kind)
	}
	g.cat = o.Catalog
	if g.cat == nil {
		c, err := catalog.Load()
		if err != nil {
			return nil, fmt.Errorf("polgen: %w", err)
		}
		g.cat = c
	}
	g.needle = []byte(o.Principal)
	return g, nil
}

// Result is a generated policy and what it is based on.
type Result struct {
	// Principal and the window, as given.
	Principal string
	From, To  time.Time
	// Policy is the generated policy document (JSON). When no record of the principal allowed
	// anything, it has no statements and IsEmpty is true (such a document cannot be stored
	// in IAM).
	Policy  string
	IsEmpty bool
	// Size is the document's size as IAM counts it against Limit, the quota of the kind.
	Size, Limit int
	// Notes explain the choices made: wildcards merged to fit the quota, records left out,
	// assumptions; one sentence each.
	Notes []string
	// Used lists the actions granted, with what the records showed.
	Used []Use
	// Denied lists the actions whose calls were denied in the window.
	Denied []Use
	// Diff compares the activity with the principal's current policies; nil when
	// Options.Current was nil.
	Diff  *Diff
	Stats Stats
}

// Use is one action seen in the records.
type Use struct {
	Action string // "iam:CreateUser"
	Calls  int    // records (0 for an action added only as a dependent action)
	// Resources are the ARNs the action was used on; ["*"] when they are not known.
	Resources []string
	// DependentOf lists the actions that needed this one as a dependent action.
	DependentOf []string `json:",omitempty"`
}

// Diff is the comparison of the activity with the principal's current policies.
type Diff struct {
	// GrantedUsed: actions the current policies allow and the principal used. Actions that
	// need no permission (NeedsNoPermission) are always allowed: used, they are here.
	GrantedUsed []string
	// GrantedUnused: actions the current policies allow (expanded through the catalog) that
	// the principal never used in the window, by service; actions that need no permission
	// are left out, as granting them changes nothing.
	GrantedUnused []ServiceActions
	// UsedDenied: actions whose calls were denied in the window.
	UsedDenied []string
	// UsedNotGranted: actions used (and allowed) in the window that the current policies no
	// longer allow on the resources used.
	UsedNotGranted []string
}

// ServiceActions are actions of one service.
type ServiceActions struct {
	Service string
	Actions []string
}

// usage is what the records show about one action.
type usage struct {
	action    *catalog.Action
	calls     int
	resources map[string]bool // nil or empty with star: "*"
	star      string          // why the resource is "*" ("" when ARNs are known)
	rtype     string          // a resource type of the ARNs, for the Sid
	passedTo  map[string]bool // iam:PassedToService values (iam:PassRole only)
	anyTarget bool            // some pass had no known service: no condition
	depOf     map[string]bool
}

type deniedUse struct {
	calls     int
	resources map[string]bool
}

// Reasons a statement's resource is "*", used as Sid suffixes.
const (
	reasonNoResourceTypes = "NoResourceLevelPermissions"
	reasonNotInRecords    = "ResourceNotInRecords"
	reasonRefused         = "ResourceRefusedByIAM"
)

// addResources adds the resources of one call: ARNs of the resource type kind, or none and
// kind says why the resource is "*".
func (u *usage) addResources(rs []string, kind string) {
	if u.star != "" {
		return
	}
	if len(rs) == 0 {
		u.star, u.resources = kind, nil
		return
	}
	if u.rtype == "" || kind < u.rtype {
		u.rtype = kind // the least name, so that the result does not depend on record order
	}
	if u.resources == nil {
		u.resources = map[string]bool{}
	}
	for _, r := range rs {
		u.resources[r] = true
	}
}

// resourceList returns the resources of a usage, sorted, with IAM paths filled in where known.
func (g *Generator) resourceList(u *usage) []string {
	if u.star != "" {
		return []string{"*"}
	}
	return g.canonicalSet(u.resources)
}

func (g *Generator) canonicalSet(rs map[string]bool) []string {
	set := make(map[string]bool, len(rs))
	for r := range rs {
		set[g.canonical(r)] = true
	}
	return sortedKeys(set)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
