package policy

// Effect is a statement's Effect element.
type Effect uint8

// The two effects a statement can have.
const (
	Allow Effect = iota + 1
	Deny
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Invalid"
}

// Document is a parsed policy document. It is derived from the submitted text, which callers keep
// byte for byte; the Document is never serialized back as the policy of record.
type Document struct {
	// Version is the Version element ("2012-10-17", "2008-10-17"), or "" when absent.
	Version string
	// ID is the optional Id element.
	ID string
	// Statements are in document order; a single statement object becomes a one-element slice.
	Statements []Statement
}

// Statement is one element of a document's Statement list.
type Statement struct {
	// Index is the statement's zero-based position in the document.
	Index int
	// Sid is the optional statement ID.
	Sid string
	// Effect is Allow or Deny.
	Effect Effect

	// Exactly one of Action and NotAction is set (non-nil) in a valid statement. Values are as
	// written ("s3:Get*", "*").
	Action    []string
	NotAction []string

	// At most one of Resource and NotResource is set; trust policies may have neither.
	Resource    []string
	NotResource []string

	// At most one of Principal and NotPrincipal is set; identity policies have neither.
	Principal    *Principal
	NotPrincipal *Principal

	// Conditions lists every (operator, key) pair of the Condition block, sorted by operator then
	// key so that evaluation and printing are deterministic.
	Conditions []Condition
}

// Principal is a Principal or NotPrincipal element.
type Principal struct {
	// Wildcard is true for the bare string "*" form. {"AWS": "*"} is AWS: ["*"] instead.
	Wildcard bool
	// Values by principal type, as written.
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one key under one operator in a Condition block.
type Condition struct {
	// Operator as written, including any "ForAllValues:"/"ForAnyValue:" prefix and "IfExists"
	// suffix (for example "ForAnyValue:StringLikeIfExists").
	Operator string
	// Key is the condition key as written (for example "aws:PrincipalTag/team").
	Key string
	// Values are the condition values; JSON booleans and numbers are kept as their literal text.
	Values []string
}

// Kind is the role a policy document plays; it decides which elements are required or forbidden,
// the size limit, and how the evaluator combines it with other policies.
type Kind uint8

// The policy kinds AWS distinguishes.
const (
	// Identity is an identity-based policy: managed, or inline on a user, group or role.
	Identity Kind = iota + 1
	// Resource is a resource-based policy other than a role trust policy (an S3 bucket policy, say).
	Resource
	// Trust is a role trust policy (AssumeRolePolicyDocument).
	Trust
	// Boundary is a permissions boundary (a managed policy used as one).
	Boundary
	// Session is a session policy passed to AssumeRole*, GetFederationToken.
	Session
	// SCP is an AWS Organizations service control policy.
	SCP
	// RCP is an AWS Organizations resource control policy.
	RCP
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Identity:
		return "Identity"
	case Resource:
		return "Resource"
	case Trust:
		return "Trust"
	case Boundary:
		return "Boundary"
	case Session:
		return "Session"
	case SCP:
		return "SCP"
	case RCP:
		return "RCP"
	}
	return "Invalid"
}
