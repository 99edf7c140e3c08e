package iamsvc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
	"github.com/iamd-dev/iamd/internal/store"
)

// The policy simulator. It decides with the enforcement engine: the principal's policies are
// gathered by authz.Load (as for a real call by that user or role), compiled by
// authz.Compile, and every (action, resource) pair goes through policy.Explain, whose decision is
// by construction Evaluate's. What a simulation cannot know about a real request (source IP,
// time, TLS, resource tags) comes only from ContextEntries; the keys that follow from the
// simulated principal itself (aws:username, aws:userid, aws:PrincipalArn, aws:PrincipalType,
// aws:PrincipalAccount, aws:PrincipalTag/*) are set as the server sets them, and an entry
// overrides them.

// simPolicy is one policy of a simulation and how the response names it.
type simPolicy struct {
	c    *policy.Compiled
	text string
	id   string // SourcePolicyId
	typ  types.PolicySourceType

	// Derived from text on first use: the parsed document (nil if it does not parse) and
	// the statements' positions.
	parsed bool
	doc    *policy.Document
	spans  [][2]types.Position
}

// parse fills the fields derived from the text, once.
func (sp *simPolicy) parse() {
	if sp.parsed {
		return
	}
	sp.parsed = true
	if doc, err := policy.Parse(sp.text, sp.c.Ref().Kind); err == nil {
		sp.doc = doc
	}
	sp.spans = statementSpans(sp.text)
}

// simulation is everything a simulation evaluates, apart from the request.
type simulation struct {
	principal policy.PrincipalInfo
	identity  []*simPolicy
	boundary  *simPolicy
	resource  *simPolicy
	// base holds the condition keys that follow from the simulated principal.
	base map[string][]string

	// Derived on first evaluation (prepare; byRef is nil before): the identity policies as the
	// engine takes them and each policy by its reference.
	inputs []*policy.Compiled
	byRef  map[policy.PolicyRef]*simPolicy
}

// prepare derives what every evaluation of the simulation shares, once.
func (sim *simulation) prepare() {
	if sim.byRef != nil {
		return
	}
	sim.byRef = map[policy.PolicyRef]*simPolicy{}
	for _, p := range sim.identity {
		sim.inputs = append(sim.inputs, p.c)
		sim.byRef[p.c.Ref()] = p
	}
	if sim.boundary != nil {
		sim.byRef[sim.boundary.c.Ref()] = sim.boundary
	}
	if sim.resource != nil {
		sim.byRef[sim.resource.c.Ref()] = sim.resource
	}
}

// policies lists every policy of the simulation in evaluation order.
func (sim *simulation) policies() []*simPolicy {
	out := slices.Clone(sim.identity)
	if sim.boundary != nil {
		out = append(out, sim.boundary)
	}
	if sim.resource != nil {
		out = append(out, sim.resource)
	}
	return out
}

// SimulatePrincipalPolicy simulates the policies of a user, group or role, plus any given ones.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, c *authn.Caller, in *sdk.SimulatePrincipalPolicyInput) (*sdk.SimulatePrincipalPolicyOutput, error) {
	source := str(in.PolicySourceArn)
	if err := checkSourceARN(source); err != nil {
		return nil, err
	}
	req, err := simRequestIn(in.ActionNames, in.ResourceArns, in.ContextEntries, in.ResourceOwner, in.CallerArn, in.ResourceHandlingOption)
	if err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:SimulatePrincipalPolicy", source, nil); err != nil {
		return nil, err
	}
	sim, err := view(ctx, s, func(r store.Reader) (*simulation, error) {
		return s.principalSimulation(ctx, r, account(c), source)
	})
	if err != nil {
		return nil, err
	}
	if err := s.addInputs(sim, in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ResourcePolicy); err != nil {
		return nil, err
	}
	if req.caller != "" {
		sim.principal = callerPrincipal(req.caller)
	} else if sim.resource != nil && sim.principal.Type != policy.PrincipalUser {
		return nil, iam.Errorf(iam.CodeInvalidInput, "CallerArn must be specified when a ResourcePolicy is included and the PolicySourceArn is not an IAM user.")
	}
	res, next, err := sim.results(req, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.SimulatePrincipalPolicyOutput{EvaluationResults: res, Marker: next, IsTruncated: next != nil}, nil
}

// SimulateCustomPolicy simulates the given identity policies (and boundary and resource policy).
func (s *Service) SimulateCustomPolicy(ctx context.Context, c *authn.Caller, in *sdk.SimulateCustomPolicyInput) (*sdk.SimulateCustomPolicyOutput, error) {
	if len(in.PolicyInputList) == 0 {
		return nil, &iam.FieldError{Field: "policyInputList", Value: "null", Constraint: "Member must not be null"}
	}
	req, err := simRequestIn(in.ActionNames, in.ResourceArns, in.ContextEntries, in.ResourceOwner, in.CallerArn, in.ResourceHandlingOption)
	if err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:SimulateCustomPolicy", "*", nil); err != nil {
		return nil, err
	}
	sim := &simulation{principal: policy.PrincipalInfo{Type: policy.PrincipalUser, Account: account(c)}}
	if err := s.addInputs(sim, in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ResourcePolicy); err != nil {
		return nil, err
	}
	if req.caller != "" {
		sim.principal = callerPrincipal(req.caller)
	} else if sim.resource != nil {
		return nil, iam.Errorf(iam.CodeInvalidInput, "CallerArn must be specified when a ResourcePolicy is included.")
	}
	res, next, err := sim.results(req, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.SimulateCustomPolicyOutput{EvaluationResults: res, Marker: next, IsTruncated: next != nil}, nil
}

// GetContextKeysForCustomPolicy lists the context keys the given policies use.
func (s *Service) GetContextKeysForCustomPolicy(ctx context.Context, c *authn.Caller, in *sdk.GetContextKeysForCustomPolicyInput) (*sdk.GetContextKeysForCustomPolicyOutput, error) {
	if len(in.PolicyInputList) == 0 {
		return nil, &iam.FieldError{Field: "policyInputList", Value: "null", Constraint: "Member must not be null"}
	}
	for _, doc := range in.PolicyInputList {
		if err := checkInputDoc(doc, policy.Identity); err != nil {
			return nil, err
		}
	}
	if err := s.authorize(ctx, c, "iam:GetContextKeysForCustomPolicy", "*", nil); err != nil {
		return nil, err
	}
	return &sdk.GetContextKeysForCustomPolicyOutput{ContextKeyNames: contextKeys(in.PolicyInputList)}, nil
}

// GetContextKeysForPrincipalPolicy lists the context keys the policies of a user, group or role
// (and the given ones) use.
func (s *Service) GetContextKeysForPrincipalPolicy(ctx context.Context, c *authn.Caller, in *sdk.GetContextKeysForPrincipalPolicyInput) (*sdk.GetContextKeysForPrincipalPolicyOutput, error) {
	source := str(in.PolicySourceArn)
	if err := checkSourceARN(source); err != nil {
		return nil, err
	}
	for _, doc := range in.PolicyInputList {
		if err := checkInputDoc(doc, policy.Identity); err != nil {
			return nil, err
		}
	}
	if err := s.authorize(ctx, c, "iam:GetContextKeysForPrincipalPolicy", source, nil); err != nil {
		return nil, err
	}
	sim, err := view(ctx, s, func(r store.Reader) (*simulation, error) {
		return s.principalSimulation(ctx, r, account(c), source)
	})
	if err != nil {
		return nil, err
	}
	var texts []string
	for _, p := range sim.policies() {
		texts = append(texts, p.text)
	}
	return &sdk.GetContextKeysForPrincipalPolicyOutput{ContextKeyNames: contextKeys(append(texts, in.PolicyInputList...))}, nil
}

// checkSourceARN accepts the ARN of a user, group or role, within the model's arnType length
// (20–2048 characters), checked before any lookup.
func checkSourceARN(source string) error {
	if err := lengthErrField("policySourceArn", source, 20, 2048); err != nil {
		return err
	}
	a, err := arn.Parse(source)
	if err != nil || a.Service != "iam" || !(strings.HasPrefix(a.Resource, "user/") || strings.HasPrefix(a.Resource, "group/") || strings.HasPrefix(a.Resource, "role/")) {
		return iam.Errorf(iam.CodeInvalidInput, "Invalid ARN %s.", source)
	}
	return nil
}

// principalSimulation loads the policies of the user, group or role named by source, as authz
// loads them for that principal's own calls.
func (s *Service) principalSimulation(ctx context.Context, r store.Reader, acct, source string) (*simulation, error) {
	a, _ := arn.Parse(source)
	typ, rest, _ := strings.Cut(a.Resource, "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	var o owner
	switch typ {
	case "user":
		o = userOwner
	case "group":
		o = groupOwner
	default:
		o = roleOwner
	}
	e, err := r.Get(ctx, acct, o.kind, name)
	if err != nil {
		return nil, o.missing(name)
	}
	v, inline, ownerARN, err := o.open(acct, e)
	if err != nil {
		return nil, err
	}
	if a.Account != acct || ownerARN != source {
		return nil, o.missing(name)
	}
	sim := &simulation{base: map[string][]string{"aws:PrincipalAccount": {acct}}}
	var p *authz.Principal
	switch x := v.(type) {
	case *iam.User:
		caller := authn.UserCaller(acct, x)
		sim.principal = caller.Principal
		if p, err = s.authz.Load(ctx, r, &caller); err != nil {
			return nil, err
		}
		sim.base["aws:username"] = []string{x.Name}
		sim.base["aws:userid"] = []string{x.ID}
		sim.base["aws:PrincipalType"] = []string{"User"}
		sim.base["aws:PrincipalArn"] = []string{ownerARN}
	case *iam.Role:
		caller := authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession,
			ARN: iam.AssumedRoleARN(acct, x.Name, "simulation"), Account: acct, SourceARN: ownerARN}}
		sim.principal = caller.Principal
		if p, err = s.authz.Load(ctx, r, &caller); err != nil {
			return nil, err
		}
		sim.base["aws:PrincipalType"] = []string{"AssumedRole"}
		sim.base["aws:PrincipalArn"] = []string{ownerARN}
	default: // a group is no principal: its policies, as any member gets them
		sim.principal = policy.PrincipalInfo{Type: policy.PrincipalUser, Account: acct}
		p = &authz.Principal{}
		for _, ip := range *inline {
			p.Identity = append(p.Identity, s.authz.Compile(ip.Document, policy.Identity, policy.PolicyRef{ARN: ownerARN, Name: ip.Name}))
		}
		arns, err := r.Links(ctx, acct, store.LinkGroupPolicy, e.Name)
		if err != nil {
			return nil, err
		}
		for _, pa := range arns {
			mp, _, err := policyByARN(ctx, r, pa)
			if err != nil || mp.Default() == nil {
				continue
			}
			v := mp.Default()
			p.Identity = append(p.Identity, s.authz.Compile(v.Document, policy.Identity, policy.PolicyRef{ARN: pa, Name: mp.Name, VersionID: v.ID}))
		}
	}
	for _, t := range p.Tags {
		sim.base["aws:PrincipalTag/"+t.Key] = []string{t.Value}
	}
	for _, pc := range p.Identity {
		sp, err := describePolicy(ctx, r, pc)
		if err != nil {
			return nil, err
		}
		sim.identity = append(sim.identity, sp)
	}
	if p.Boundary != nil {
		if sim.boundary, err = describePolicy(ctx, r, p.Boundary); err != nil {
			return nil, err
		}
	}
	return sim, nil
}

// describePolicy finds the text and the simulator's name of a policy authz loaded: a managed
// policy version (SourcePolicyId its name) or an inline policy of a user, group or role
// ("user_NAME_POLICY").
func describePolicy(ctx context.Context, r store.Reader, c *policy.Compiled) (*simPolicy, error) {
	ref := c.Ref()
	sp := &simPolicy{c: c}
	if pacct, _, ok := authz.PolicyARNParts(ref.ARN); ok {
		sp.id, sp.typ = ref.Name, types.PolicySourceTypeUserManaged
		if pacct == "aws" {
			sp.typ = types.PolicySourceTypeAwsManaged
		}
		if mp, _, err := policyByARN(ctx, r, ref.ARN); err == nil {
			if v := mp.Version(ref.VersionID); v != nil {
				sp.text = v.Document
			}
		}
		return sp, nil
	}
	a, err := arn.Parse(ref.ARN)
	if err != nil {
		return sp, nil
	}
	typ, rest, _ := strings.Cut(a.Resource, "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	sp.id, sp.typ = typ+"_"+name+"_"+ref.Name, types.PolicySourceType(typ)
	o := map[string]owner{"user": userOwner, "group": groupOwner, "role": roleOwner}[typ]
	if o.open == nil {
		return sp, nil
	}
	e, err := r.Get(ctx, a.Account, o.kind, name)
	if err != nil {
		return sp, nil
	}
	_, inline, _, err := o.open(a.Account, e)
	if err != nil {
		return nil, err
	}
	for _, ip := range *inline {
		if ip.Name == ref.Name {
			sp.text = ip.Document
		}
	}
	return sp, nil
}

// checkInputDoc validates a policy document passed to the simulator.
func checkInputDoc(doc string, kind policy.Kind) error {
	if err := checkDocumentField(doc); err != nil {
		return err
	}
	_, err := parsePolicy(doc, kind)
	return err
}

// addInputs compiles the documents given with the request: extra identity policies, a boundary
// that replaces the principal's, and a resource policy.
func (s *Service) addInputs(sim *simulation, identity, boundary []string, resource *string) error {
	for i, doc := range identity {
		sp, err := s.inputPolicy(doc, policy.Identity, "PolicyInputList."+strconv.Itoa(i+1), types.PolicySourceTypeNone)
		if err != nil {
			return err
		}
		sim.identity = append(sim.identity, sp)
	}
	if len(boundary) > 1 {
		return iam.Errorf(iam.CodeInvalidInput, "You can input only one permissions boundary when you pass a policy to this operation.")
	}
	for _, doc := range boundary {
		sp, err := s.inputPolicy(doc, policy.Boundary, "PermissionsBoundaryPolicyInputList.1", types.PolicySourceTypeNone)
		if err != nil {
			return err
		}
		sim.boundary = sp
	}
	if resource != nil {
		sp, err := s.inputPolicy(*resource, policy.Resource, "ResourcePolicy", types.PolicySourceTypeResource)
		if err != nil {
			return err
		}
		sim.resource = sp
	}
	return nil
}

func (s *Service) inputPolicy(doc string, kind policy.Kind, id string, typ types.PolicySourceType) (*simPolicy, error) {
	if err := checkInputDoc(doc, kind); err != nil {
		return nil, err
	}
	return &simPolicy{c: s.authz.Compile(doc, kind, policy.PolicyRef{Name: id}), text: doc, id: id, typ: typ}, nil
}

// callerPrincipal is the simulated caller named by CallerArn (an IAM user).
func callerPrincipal(caller string) policy.PrincipalInfo {
	a, _ := arn.Parse(caller)
	return policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: caller, Account: a.Account}
}

// simRequest is the request part of a simulation.
type simRequest struct {
	actions   []string
	resources []string // nil: "*"
	context   map[string][]string
	owner     string // ResourceOwner's account ("" if not given)
	caller    string
}

func simRequestIn(actions, resources []string, entries []types.ContextEntry, owner, caller, handling *string) (*simRequest, error) {
	// ResourceHandlingOption only names the EC2 scenario of the resources (ResourceHandlingOptionType:
	// 1–64 characters); iamd evaluates the resources given either way.
	if handling != nil {
		if err := lengthErrField("resourceHandlingOption", *handling, 1, 64); err != nil {
			return nil, err
		}
	}
	req := &simRequest{context: map[string][]string{}}
	if len(actions) == 0 {
		return nil, &iam.FieldError{Field: "actionNames", Value: "null", Constraint: "Member must not be null"}
	}
	for _, a := range actions {
		if n := len(a); n < 3 || n > 128 {
			return nil, &iam.FieldError{Field: "actionNames", Value: a, Constraint: "Member must have length between 3 and 128"}
		}
		if !strings.Contains(a, ":") {
			return nil, iam.Errorf(iam.CodeInvalidInput, "Actions must be in the format service:action. Invalid action: %s", a)
		}
	}
	req.actions = actions
	for _, r := range resources {
		if err := checkResourceName("resourceArns", r); err != nil {
			return nil, err
		}
		if r == "*" {
			continue
		}
		if _, err := arn.Parse(r); err != nil {
			return nil, iam.Errorf(iam.CodeInvalidInput, "Invalid ARN %s.", r)
		}
	}
	req.resources = resources
	for _, e := range entries {
		k := str(e.ContextKeyName)
		if k == "" {
			return nil, &iam.FieldError{Field: "contextEntries.member.contextKeyName", Value: "null", Constraint: "Member must not be null"}
		}
		// ContextKeyNameType: 5–256 characters.
		if err := lengthErrField("contextEntries.member.contextKeyName", k, 5, 256); err != nil {
			return nil, err
		}
		if err := checkContextValues(k, e.ContextKeyType, e.ContextKeyValues); err != nil {
			return nil, err
		}
		req.context[k] = append(req.context[k], e.ContextKeyValues...)
	}
	if o := str(owner); o != "" {
		if err := checkResourceName("resourceOwner", o); err != nil {
			return nil, err
		}
		a, err := arn.Parse(o)
		if err != nil || a.Account == "" {
			return nil, iam.Errorf(iam.CodeInvalidInput, "Invalid ARN %s.", o)
		}
		req.owner = a.Account
	}
	if c := str(caller); c != "" {
		if err := checkResourceName("callerArn", c); err != nil {
			return nil, err
		}
		a, err := arn.Parse(c)
		if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "user/") {
			return nil, iam.Errorf(iam.CodeInvalidInput, "Invalid ARN %s. CallerArn must be the ARN of an IAM user.", c)
		}
		req.caller = c
	}
	return req, nil
}

// maxResourceName is the longest ResourceArns member, ResourceOwner and CallerArn the API
// Reference allows (ResourceNameType: 1 to 2048 characters).
const maxResourceName = 2048

// checkResourceName checks a ResourceNameType value's length. AWS's model bounds no list of
// the simulator (ActionNames, ResourceArns) in count; a request's size is bounded by the API's
// request limits instead (parameter count and body size), and the work of one page by
// simPairsPerPage.
func checkResourceName(field, v string) error {
	if n := utf8.RuneCountInString(v); n < 1 || n > maxResourceName {
		return &iam.FieldError{Field: field, Value: v,
			Constraint: "Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 1]"}
	}
	return nil
}

// checkContextValues checks that a context entry's values have its type; a scalar type takes
// exactly one value.
func checkContextValues(key string, typ types.ContextKeyTypeEnum, vals []string) error {
	base, list := strings.CutSuffix(string(typ), "List")
	if typ == "" || !slices.Contains(types.ContextKeyTypeEnum("").Values(), typ) {
		return &iam.FieldError{Field: "contextEntries.member.contextKeyType", Value: string(typ),
			Constraint: "Member must satisfy enum value set: [string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList]"}
	}
	if !list && len(vals) != 1 {
		return iam.Errorf(iam.CodeInvalidInput, "Context key %s of type %s must have exactly one value.", key, typ)
	}
	for _, v := range vals {
		if !validContextValue(base, v) {
			return iam.Errorf(iam.CodeInvalidInput, "Invalid value %s for context key %s of type %s.", v, key, typ)
		}
	}
	return nil
}

func validContextValue(typ, v string) bool {
	switch typ {
	case "numeric":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "boolean":
		return strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
	case "date":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return true
		}
		for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
			if _, err := time.Parse(l, v); err == nil {
				return true
			}
		}
		return false
	case "ip":
		if _, err := netip.ParsePrefix(v); err == nil {
			return true
		}
		_, err := netip.ParseAddr(v)
		return err == nil
	case "binary":
		_, err := base64.StdEncoding.DecodeString(v)
		return err == nil
	}
	return true
}

// simPairsPerPage bounds the (action, resource) evaluations one page of simulation results
// holds: a page has at most MaxItems actions (default 100), and fewer when their results on
// every resource would pass this many, though always one. Pages, and the memory a request
// takes, are thus proportional to this bound, not to ActionNames × ResourceArns. AWS allows
// fewer results than MaxItems in a page ("IAM might return fewer results, even when there are
// more results available"; the client follows IsTruncated and Marker).
const simPairsPerPage = 10000

// results evaluates the actions of one page on every resource and pages the results (one per
// action).
func (sim *simulation) results(req *simRequest, marker *string, maxItems *int32) ([]types.EvaluationResult, *string, error) {
	return sim.resultsWithin(req, marker, maxItems, simPairsPerPage)
}

// pageActions is how many actions a page holds: limit, or fewer so that they evaluate at most
// budget (action, resource) pairs, but at least one.
func pageActions(limit, resources, budget int) int {
	return max(1, min(limit, budget/max(1, resources)))
}

// resultsWithin is results with a page holding at most budget pairs (see pageActions).
func (sim *simulation) resultsWithin(req *simRequest, marker *string, maxItems *int32, budget int) ([]types.EvaluationResult, *string, error) {
	p, err := page(nil, nil, maxItems)
	if err != nil {
		return nil, nil, err
	}
	n := int32(pageActions(p.Limit, len(req.resources), budget))
	start, end, next, err := slicePage(len(req.actions), marker, &n)
	if err != nil {
		return nil, nil, err
	}
	spelling := keySpelling(sim.policies())
	ctxMap := map[string][]string{}
	for k, v := range sim.base {
		ctxMap[k] = v
	}
	for k, v := range req.context {
		// An entry replaces a principal key whatever the case it is written in.
		for b := range sim.base {
			if strings.EqualFold(b, k) {
				delete(ctxMap, b)
			}
		}
		ctxMap[k] = v
	}
	cctx := condition.NewMap(ctxMap)
	sim.prepare()
	out := make([]types.EvaluationResult, 0, end-start)
	for _, action := range req.actions[start:end] {
		out = append(out, sim.evaluate(action, req, cctx, spelling))
	}
	return out, next, nil
}

// decisionRank orders decisions from the most permissive.
var decisionRank = map[types.PolicyEvaluationDecisionType]int{
	types.PolicyEvaluationDecisionTypeAllowed: 0, types.PolicyEvaluationDecisionTypeImplicitDeny: 1, types.PolicyEvaluationDecisionTypeExplicitDeny: 2,
}

// evaluate simulates one action on each resource. The top-level result is the most restrictive
// decision over the resources, with the statements and missing keys of those resources that
// reached it; ResourceSpecificResults holds each resource's own when resources were given.
func (sim *simulation) evaluate(action string, req *simRequest, cctx condition.Context, spelling map[string]string) types.EvaluationResult {
	resources := req.resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	res := types.EvaluationResult{EvalActionName: ptr(action), EvalResourceName: ptr("*"), EvalDecision: types.PolicyEvaluationDecisionTypeAllowed}
	if len(resources) == 1 {
		res.EvalResourceName = ptr(resources[0])
	}
	// The keys of statements whose resource names a variable the context lacks depend on the
	// action only.
	var unresolved []string
	for _, sp := range sim.policies() {
		unresolved = append(unresolved, sp.unresolved(action, cctx)...)
	}
	per := make([]types.ResourceSpecificResult, 0, len(resources))
	for _, r := range resources {
		rr := sim.evaluateOne(action, r, req.owner, cctx, spelling, unresolved)
		per = append(per, rr)
		if decisionRank[rr.EvalResourceDecision] > decisionRank[res.EvalDecision] {
			res.EvalDecision, res.MatchedStatements, res.MissingContextValues = rr.EvalResourceDecision, nil, nil
		}
	}
	for _, rr := range per {
		if rr.EvalResourceDecision != res.EvalDecision {
			continue
		}
		for _, st := range rr.MatchedStatements {
			if !slices.ContainsFunc(res.MatchedStatements, func(x types.Statement) bool { return sameStatement(x, st) }) {
				res.MatchedStatements = append(res.MatchedStatements, st)
			}
		}
		for _, k := range rr.MissingContextValues {
			if !slices.Contains(res.MissingContextValues, k) {
				res.MissingContextValues = append(res.MissingContextValues, k)
			}
		}
		if rr.PermissionsBoundaryDecisionDetail != nil && res.PermissionsBoundaryDecisionDetail == nil {
			res.PermissionsBoundaryDecisionDetail = rr.PermissionsBoundaryDecisionDetail
		}
	}
	if res.MatchedStatements == nil {
		res.MatchedStatements = []types.Statement{}
	}
	if res.MissingContextValues == nil {
		res.MissingContextValues = []string{}
	}
	if len(req.resources) > 0 {
		res.ResourceSpecificResults = per
		res.EvalDecisionDetails = map[string]types.PolicyEvaluationDecisionType{}
	}
	return res
}

func sameStatement(a, b types.Statement) bool {
	return str(a.SourcePolicyId) == str(b.SourcePolicyId) && a.SourcePolicyType == b.SourcePolicyType &&
		*a.StartPosition == *b.StartPosition
}

// evaluateOne decides one action on one resource with the engine and reports its trace;
// unresolved are the action's keys from sp.unresolved. The simulation must be prepared.
func (sim *simulation) evaluateOne(action, resource, owner string, cctx condition.Context, spelling map[string]string, unresolved []string) types.ResourceSpecificResult {
	in := &policy.Input{Action: action, Resource: resource, Context: cctx, Principal: sim.principal, Identity: sim.inputs}
	acct := owner
	if a, err := arn.Parse(resource); err == nil && a.Account != "" {
		acct = a.Account
	}
	if acct != sim.principal.Account {
		in.ResourceAccount = acct
	}
	if sim.boundary != nil {
		in.Boundary = sim.boundary.c
	}
	if sim.resource != nil {
		in.ResourcePolicy = sim.resource.c
	}
	byRef := sim.byRef
	tr := policy.Explain(in)
	out := types.ResourceSpecificResult{EvalResourceName: ptr(resource), MatchedStatements: []types.Statement{}, MissingContextValues: []string{}}
	want := policy.Allow
	switch tr.Decision.Effect {
	case policy.DecisionAllow:
		out.EvalResourceDecision = types.PolicyEvaluationDecisionTypeAllowed
	case policy.DecisionExplicitDeny:
		out.EvalResourceDecision = types.PolicyEvaluationDecisionTypeExplicitDeny
		want = policy.Deny
	default:
		out.EvalResourceDecision = types.PolicyEvaluationDecisionTypeImplicitDeny
	}
	boundaryDeny := false
	for _, m := range tr.Matched {
		if m.Policy.Kind == policy.Boundary && m.Effect == policy.Deny {
			boundaryDeny = true
		}
		// An implicit deny is decided by no statement; the boundary's Allows are reported in
		// PermissionsBoundaryDecisionDetail, not as matched statements.
		if tr.Decision.Effect == policy.DecisionImplicitDeny || m.Effect != want || (m.Policy.Kind == policy.Boundary && want == policy.Allow) {
			continue
		}
		if sp := byRef[m.Policy]; sp != nil {
			out.MatchedStatements = append(out.MatchedStatements, sp.statement(m.Index))
		}
	}
	if sim.boundary != nil {
		out.PermissionsBoundaryDecisionDetail = &types.PermissionsBoundaryDecisionDetail{
			AllowedByPermissionsBoundary: !boundaryDeny && !slices.Contains(tr.NoAllow, policy.Boundary),
		}
	}
	missing := slices.Concat(tr.MissingKeys, unresolved)
	slices.Sort(missing)
	for _, k := range slices.Compact(missing) {
		if w, ok := spelling[k]; ok {
			k = w
		}
		out.MissingContextValues = append(out.MissingContextValues, k)
	}
	return out
}

// unresolved lists, lower-cased, the keys of the policy's statements for the action whose
// Resource or NotResource uses a policy variable the context lacks: those variables and the
// statements' condition keys the context lacks. The engine never gets to such a statement's
// conditions (its resource cannot match), so its trace does not name them.
func (sp *simPolicy) unresolved(action string, cctx condition.Context) []string {
	sp.parse()
	doc := sp.doc
	if doc == nil || doc.Version != "2012-10-17" {
		return nil
	}
	absent := func(k string) bool {
		_, ok := cctx.Values(strings.ToLower(k))
		return !ok
	}
	var out []string
	for _, st := range doc.Statements {
		named := slices.ContainsFunc(st.Action, func(p string) bool { return arn.GlobFold(p, action) })
		if st.Action == nil {
			named = !slices.ContainsFunc(st.NotAction, func(p string) bool { return arn.GlobFold(p, action) })
		}
		if !named {
			continue
		}
		var vars []string
		for _, r := range slices.Concat(st.Resource, st.NotResource) {
			variables(r, func(k string) {
				if absent(k) {
					vars = append(vars, strings.ToLower(k))
				}
			})
		}
		if len(vars) == 0 {
			continue
		}
		out = append(out, vars...)
		for _, c := range st.Conditions {
			if absent(c.Key) {
				out = append(out, strings.ToLower(c.Key))
			}
		}
	}
	return out
}

// statement is the response's Statement for the policy's statement i.
func (sp *simPolicy) statement(i int) types.Statement {
	sp.parse()
	st := types.Statement{SourcePolicyId: ptr(sp.id), SourcePolicyType: sp.typ, StartPosition: &types.Position{}, EndPosition: &types.Position{}}
	if i < len(sp.spans) {
		st.StartPosition, st.EndPosition = ptr(sp.spans[i][0]), ptr(sp.spans[i][1])
	}
	return st
}

// statementSpans locates each statement of a policy document: the positions (1-based line and
// column, columns counted in characters) of its opening and closing braces. It returns nil for
// text it cannot follow.
func statementSpans(text string) [][2]types.Position {
	dec := json.NewDecoder(strings.NewReader(text))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil
		}
		if k != "Statement" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		var out [][2]types.Position
		value := func() bool {
			from := skipSeparators(text, int(dec.InputOffset()))
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				return false
			}
			out = append(out, [2]types.Position{position(text, from), position(text, int(dec.InputOffset())-1)})
			return true
		}
		if text[skipSeparators(text, int(dec.InputOffset()))] != '[' {
			if !value() {
				return nil
			}
			return out
		}
		if _, err := dec.Token(); err != nil {
			return nil
		}
		for dec.More() {
			if !value() {
				return nil
			}
		}
		return out
	}
	return nil
}

// skipSeparators skips JSON whitespace, colons and commas from i.
func skipSeparators(text string, i int) int {
	for i < len(text) && strings.IndexByte(" \t\r\n:,", text[i]) >= 0 {
		i++
	}
	return min(i, len(text)-1)
}

func position(text string, off int) types.Position {
	line := strings.Count(text[:off], "\n")
	ls := strings.LastIndexByte(text[:off], '\n') + 1
	return types.Position{Line: int32(line + 1), Column: int32(utf8.RuneCountInString(text[ls:off]) + 1)}
}

// contextKeys lists the condition keys the documents use, in the order they first appear and
// as first written (de-duplicated ignoring case): condition keys, and the policy variables in
// resources and condition values. Documents that do not parse contribute nothing.
func contextKeys(texts []string) []string {
	out := []string{}
	seen := map[string]bool{}
	add := func(k string) {
		if lk := strings.ToLower(k); k != "" && !seen[lk] {
			seen[lk] = true
			out = append(out, k)
		}
	}
	for _, text := range texts {
		doc, err := policy.Parse(text, policy.Identity)
		if err != nil {
			if doc, err = policy.Parse(text, policy.Resource); err != nil {
				continue
			}
		}
		vars := doc.Version == "2012-10-17"
		for _, st := range doc.Statements {
			if vars {
				for _, r := range slices.Concat(st.Resource, st.NotResource) {
					variables(r, add)
				}
			}
			for _, c := range st.Conditions {
				add(c.Key)
				if vars {
					for _, v := range c.Values {
						variables(v, add)
					}
				}
			}
		}
	}
	return out
}

// keySpelling maps each lower-cased context key of the policies to the way it is written.
func keySpelling(ps []*simPolicy) map[string]string {
	var texts []string
	for _, p := range ps {
		texts = append(texts, p.text)
	}
	m := map[string]string{}
	for _, k := range contextKeys(texts) {
		m[strings.ToLower(k)] = k
	}
	return m
}

// variables calls add with the key of each policy variable in s ("${aws:username}", and
// "${aws:PrincipalTag/team, 'none'}" with a default); "${*}", "${?}" and "${$}" are escapes.
func variables(s string, add func(string)) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return
		}
		v, _, _ := strings.Cut(s[i+2:i+j], ",")
		if v = strings.TrimSpace(v); v != "*" && v != "?" && v != "$" {
			add(v)
		}
		s = s[i+j+1:]
	}
}
