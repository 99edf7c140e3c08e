package iamsvc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// Service last accessed reports (access advisor).
//
// A report covers a user, a role, a group (its members) or a managed policy (the users, roles
// and group members it is attached to). As AWS documents for GetServiceLastAccessedDetails, it
// lists only the services the resource can access through permissions policies: those the
// Allow statements of the policy (for a policy), of the group's policies (for a group) or of all
// the entity's identity policies, its groups' included (for a user or role), name in their
// Action elements (patterns expanded with the action catalog; NotAction counts as every
// service). Permissions boundaries, resource policies and session policies play no part. Each
// service carries the covered entities' last attempt to use it, read from the audit trail:
// every attempt by an authenticated principal, denied ones included ("not just the successful
// ones"), by the user itself or by sessions of the role. Calls that failed authentication name
// no principal (the trail records them as AWSAccount) and so count for no one, as AWS does not
// report unauthenticated requests. Records are matched to an entity by its unique ID
// (userIdentity.principalId, sessionIssuer.principalId) when they carry one, so a deleted and
// re-created user or role does not inherit its predecessor's activity; records without one
// fall back to the ARN. The report is computed when it is generated, so Get answers COMPLETED
// at once.

// trackedServices are the services whose actions AWS tracks for ACTION_LEVEL reports.
var trackedServices = map[string]bool{"iam": true, "s3": true, "ec2": true, "lambda": true}

// covered is an entity whose use a report counts.
type covered struct {
	arn, typ, name, id, path string
	user                     bool
}

func noSuchJob(id string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "No report found with job id %s", id)
}

// checkJobID checks a JobId member (a 36-character UUID).
func checkJobID(id string) error { return lengthErrField("jobId", id, 36, 36) }

// GenerateServiceLastAccessedDetails starts (and, in iamd, completes) a report of when the
// entity's permissions were last used.
func (s *Service) GenerateServiceLastAccessedDetails(ctx context.Context, c *authn.Caller, in *sdk.GenerateServiceLastAccessedDetailsInput) (*sdk.GenerateServiceLastAccessedDetailsOutput, error) {
	target := str(in.Arn)
	if err := lengthErrField("arn", target, 20, 2048); err != nil {
		return nil, err
	}
	gran := in.Granularity
	switch gran {
	case "":
		gran = types.AccessAdvisorUsageGranularityTypeServiceLevel
	case types.AccessAdvisorUsageGranularityTypeServiceLevel, types.AccessAdvisorUsageGranularityTypeActionLevel:
	default:
		return nil, &iam.FieldError{Field: "granularity", Value: string(gran), Constraint: "Member must satisfy enum value set: [SERVICE_LEVEL, ACTION_LEVEL]"}
	}
	if err := s.authorize(ctx, c, "iam:GenerateServiceLastAccessedDetails", target, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	var ents []covered
	var texts []string
	_, err := view(ctx, s, func(r store.Reader) (*struct{}, error) {
		var err error
		ents, texts, err = s.reportSubject(ctx, r, acct, target)
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	cat, err := s.catalog()
	if err != nil {
		return nil, fmt.Errorf("load action catalog: %w", err)
	}
	usage, err := s.usage(ctx, acct, ents)
	if err != nil {
		return nil, err
	}
	jobID, err := iam.NewUUID(s.rand)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	rep := &iam.AccessReport{JobID: jobID, ARN: target, Granularity: string(gran), Created: now, Completed: now,
		Services: reportServices(cat, allowedServices(cat, texts), usage)}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.GenerateServiceLastAccessedDetailsOutput, error) {
		e := &store.Entity{Account: acct, Kind: store.KindAccessReport, Name: jobID, Path: "/", Created: now}
		if err := create(ctx, tx, e, rep, iam.Errorf(iam.CodeServiceFailure, "Job %s exists.", jobID)); err != nil {
			return nil, err
		}
		return &sdk.GenerateServiceLastAccessedDetailsOutput{JobId: ptr(jobID)}, nil
	})
}

// reportSubject resolves a report's ARN to the entities it covers and the texts of the policies
// that apply to them.
func (s *Service) reportSubject(ctx context.Context, r store.Reader, acct, target string) ([]covered, []string, error) {
	a, err := arn.Parse(target)
	typ, _, _ := strings.Cut(a.Resource, "/")
	if err != nil || a.Service != "iam" || !slices.Contains([]string{"user", "group", "role", "policy"}, typ) {
		return nil, nil, iam.Errorf(iam.CodeInvalidInput, "Invalid ARN %s.", target)
	}
	if typ == "policy" {
		return s.policySubject(ctx, r, acct, target)
	}
	sim, err := s.principalSimulation(ctx, r, acct, target)
	if err != nil {
		return nil, nil, err
	}
	var texts []string
	for _, sp := range sim.identity {
		texts = append(texts, sp.text)
	}
	name := a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
	var ents []covered
	switch typ {
	case "user":
		ents, err = coverUsers(ctx, r, acct, []string{name})
	case "role":
		ents, err = coverRoles(ctx, r, acct, []string{name})
	default:
		var members []string
		if members, err = r.Links(ctx, acct, store.LinkMember, name); err == nil {
			ents, err = coverUsers(ctx, r, acct, members)
		}
	}
	return ents, texts, err
}

// policySubject covers the users, roles and group members a managed policy is attached to.
func (s *Service) policySubject(ctx context.Context, r store.Reader, acct, target string) ([]covered, []string, error) {
	p, _, err := policyByARN(ctx, r, target)
	if err != nil {
		return nil, nil, err
	}
	var texts []string
	if v := p.Default(); v != nil {
		texts = append(texts, v.Document)
	}
	users, err := r.LinksTo(ctx, acct, store.LinkUserPolicy, target)
	if err != nil {
		return nil, nil, err
	}
	groups, err := r.LinksTo(ctx, acct, store.LinkGroupPolicy, target)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range groups {
		members, err := r.Links(ctx, acct, store.LinkMember, g)
		if err != nil {
			return nil, nil, err
		}
		users = append(users, members...)
	}
	slices.Sort(users)
	ents, err := coverUsers(ctx, r, acct, slices.Compact(users))
	if err != nil {
		return nil, nil, err
	}
	roles, err := r.LinksTo(ctx, acct, store.LinkRolePolicy, target)
	if err != nil {
		return nil, nil, err
	}
	re, err := coverRoles(ctx, r, acct, roles)
	return append(ents, re...), texts, err
}

func coverUsers(ctx context.Context, r store.Reader, acct string, names []string) ([]covered, error) {
	var out []covered
	for _, n := range names {
		u, _, err := load[iam.User](ctx, r, acct, store.KindUser, n, noSuchUser(n))
		if err != nil {
			return nil, err
		}
		out = append(out, covered{arn: iam.UserARN(acct, u.Path, u.Name), typ: string(types.PolicyOwnerEntityTypeUser), name: u.Name, id: u.ID, path: u.Path, user: true})
	}
	return out, nil
}

func coverRoles(ctx context.Context, r store.Reader, acct string, names []string) ([]covered, error) {
	var out []covered
	for _, n := range names {
		ro, _, err := load[iam.Role](ctx, r, acct, store.KindRole, n, noSuchRole(n))
		if err != nil {
			return nil, err
		}
		out = append(out, covered{arn: iam.RoleARN(acct, ro.Path, ro.Name), typ: string(types.PolicyOwnerEntityTypeRole), name: ro.Name, id: ro.ID, path: ro.Path})
	}
	return out, nil
}

// allowedServices returns the prefixes of the services the policies' Allow statements name.
func allowedServices(cat *catalog.Catalog, texts []string) map[string]bool {
	out := map[string]bool{}
	for _, text := range texts {
		doc, err := policy.Parse(text, policy.Identity)
		if err != nil {
			continue
		}
		for _, st := range doc.Statements {
			if st.Effect != policy.Allow {
				continue
			}
			patterns := st.Action
			if st.NotAction != nil {
				patterns = []string{"*"}
			}
			for _, p := range patterns {
				svc, _, _ := strings.Cut(p, ":")
				if !strings.ContainsAny(svc, "*?") {
					if sv, ok := cat.Service(svc); ok {
						out[sv.Prefix] = true
					}
					continue
				}
				for _, a := range cat.Match(p) {
					out[a.Service] = true
				}
			}
		}
	}
	return out
}

// access is one attempt in the trail by a covered entity.
type access struct {
	ent    *covered
	action string
	region string
	time   time.Time
}

// serviceUse is the covered entities' latest attempts at one service: by entity ARN, and (for
// the services whose actions are tracked) by action name.
type serviceUse struct {
	entities map[string]access
	actions  map[string]access
}

// usage is the covered entities' latest attempts, by service namespace.
type usage map[string]*serviceUse

// add counts an attempt. Attempts come in trail order, so on equal times the later record
// wins: the newest, as when the trail was read newest first and the first seen was kept.
func (u usage) add(ns string, a access) {
	su := u[ns]
	if su == nil {
		su = &serviceUse{entities: map[string]access{}}
		if trackedServices[ns] {
			su.actions = map[string]access{}
		}
		u[ns] = su
	}
	if cur, ok := su.entities[a.ent.arn]; !ok || !a.time.Before(cur.time) {
		su.entities[a.ent.arn] = a
	}
	if su.actions != nil {
		if cur, ok := su.actions[a.action]; !ok || !a.time.Before(cur.time) {
			su.actions[a.action] = a
		}
	}
}

// trailPage is how many trail records usage reads at a time: memory is bounded by a page.
const trailPage = 1000

// usage reads the trail and returns the covered entities' latest attempts, by service
// namespace. It reads the whole trail once, oldest first, a page at a time, up to the
// account's newest record when it starts: records name a user by its name at the time, and a
// user renamed since keeps its unique ID, and so its history. Only records that pass the
// entities' sieve are decoded.
func (s *Service) usage(ctx context.Context, acct string, ents []covered) (usage, error) {
	out := usage{}
	if len(ents) == 0 {
		return out, nil
	}
	newest, err := s.store.Events(ctx, store.EventFilter{Account: acct, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	if len(newest) == 0 {
		return out, nil
	}
	last := newest[0].Seq
	sv := newSieve(ents)
	for after := int64(0); after < last; {
		evs, err := s.store.Chain(ctx, after, trailPage)
		if err != nil {
			return nil, fmt.Errorf("read audit trail after %d: %w", after, err)
		}
		if len(evs) == 0 {
			break
		}
		for _, ev := range evs {
			if ev.Seq > last {
				break
			}
			if ev.Account != acct || !sv.may(ev.Record) {
				continue
			}
			var rec audit.Event
			if err := json.Unmarshal(ev.Record, &rec); err != nil {
				continue
			}
			for i := range ents {
				if ns, a, ok := attempt(&ents[i], &rec, ev.Time); ok {
					out.add(ns, a)
					break
				}
			}
		}
		after = evs[len(evs)-1].Seq
	}
	return out, nil
}

// sieve is a cheap test on a raw trail record that passes every record a covered entity made
// (see made), and few others, so that only those are decoded. A record an entity made holds
// its unique ID, or else its ARN and so its name, as a JSON string: an ID ([A-Z0-9]) or a
// name ([\w+=,.@-]) needs no escaping there, and each sits between characters no name has
// (quotes, '/', ':'). Only a \u escape could hide one, and records with one always pass.
type sieve struct {
	// words are the IDs and names; with a few the record is searched for each, with more it is
	// cut into runs of name characters, each looked up.
	words [][]byte
	set   map[string]bool
	lens  [maxWord + 1]bool // the lengths of the words in set: other runs need no lookup
}

// maxWord bounds the words a sieve's set holds: user and role names have at most 64
// characters (iam.MaxUserName, iam.MaxRoleName), unique IDs at most 128.
const maxWord = 128

// sieveWords is how many words are searched for one by one; more are looked up in a set.
const sieveWords = 10

func newSieve(ents []covered) *sieve {
	sv := &sieve{}
	for _, e := range ents {
		for _, w := range []string{e.id, e.name} {
			if w != "" {
				sv.words = append(sv.words, []byte(w))
			}
		}
	}
	if len(sv.words) > sieveWords {
		sv.set = map[string]bool{}
		for _, w := range sv.words {
			if len(w) > maxWord {
				// Not an IAM name or ID: search for every word instead.
				sv.set = nil
				break
			}
			sv.set[string(w)] = true
			sv.lens[len(w)] = true
		}
	}
	return sv
}

// isNameByte reports whether c may be part of an IAM name ([\w+=,.@-]) or unique ID.
func isNameByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '_', '+', '=', ',', '.', '@', '-':
		return true
	}
	return false
}

// may reports whether a covered entity may have made the record.
func (sv *sieve) may(rec []byte) bool {
	if bytes.Contains(rec, []byte(`\u`)) {
		return true
	}
	if sv.set == nil {
		for _, w := range sv.words {
			if bytes.Contains(rec, w) {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(rec); {
		if !isNameByte(rec[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(rec) && isNameByte(rec[j]) {
			j++
		}
		if n := j - i; n <= maxWord && sv.lens[n] && sv.set[string(rec[i:j])] {
			return true
		}
		i = j
	}
	return false
}

// attempt returns the service namespace and the attempt a trail record shows, if e made it.
// Denied calls count: AWS counts every attempt, not just the successful ones.
func attempt(e *covered, rec *audit.Event, at time.Time) (string, access, bool) {
	if !e.made(&rec.UserIdentity) {
		return "", access{}, false
	}
	ns, ok := strings.CutSuffix(rec.EventSource, ".amazonaws.com")
	if !ok || ns == "" {
		return "", access{}, false
	}
	return ns, access{ent: e, action: rec.EventName, region: rec.AWSRegion, time: at.UTC()}, true
}

// made reports whether the caller a record names is e: the user itself, or a session of the
// role. The unique ID decides when the record has one (an entity deleted and created again
// under the same ARN has a new ID); older records without one are matched by ARN.
func (e *covered) made(id *audit.UserIdentity) bool {
	if e.user {
		if id.Type != "IAMUser" {
			return false
		}
		if id.PrincipalID != "" {
			return id.PrincipalID == e.id
		}
		return id.ARN == e.arn
	}
	if id.Type != "AssumedRole" || id.SessionContext == nil || id.SessionContext.SessionIssuer == nil {
		return false
	}
	iss := id.SessionContext.SessionIssuer
	if iss.Type != "" && iss.Type != "Role" {
		return false
	}
	if iss.PrincipalID != "" {
		return iss.PrincipalID == e.id
	}
	return iss.ARN == e.arn
}

// reportServices builds a report's services: those the covered policies allow, each with the
// covered entities' last attempts. Attempts at services the policies do not allow are left out,
// as AWS lists only the services the resource can access.
func reportServices(cat *catalog.Catalog, allowed map[string]bool, use usage) []iam.ServiceAccess {
	keys := make([]string, 0, len(allowed))
	for ns := range allowed {
		keys = append(keys, ns)
	}
	slices.Sort(keys)
	out := make([]iam.ServiceAccess, 0, len(keys))
	for _, ns := range keys {
		sa := iam.ServiceAccess{Namespace: ns, Name: ns}
		sv, known := cat.Service(ns)
		if known {
			sa.Name = sv.Name
		}
		su := use[ns]
		if su == nil {
			out = append(out, sa)
			continue
		}
		for _, a := range su.entities {
			sa.Entities = append(sa.Entities, iam.EntityAccess{ARN: a.ent.arn, Type: a.ent.typ, Name: a.ent.name, ID: a.ent.id, Path: a.ent.path, Time: a.time, Region: a.region})
		}
		slices.SortFunc(sa.Entities, func(a, b iam.EntityAccess) int {
			if c := b.Time.Compare(a.Time); c != 0 {
				return c
			}
			return strings.Compare(a.ARN, b.ARN)
		})
		for name, a := range su.actions {
			if known && isAction(sv, name) { // su.actions exists only for trackedServices
				sa.Actions = append(sa.Actions, iam.ActionAccess{Name: name, Entity: a.ent.arn, Region: a.region, Time: a.time})
			}
		}
		slices.SortFunc(sa.Actions, func(a, b iam.ActionAccess) int { return strings.Compare(a.Name, b.Name) })
		out = append(out, sa)
	}
	return out
}

// isAction reports whether name is one of the service's actions: a call naming an unknown
// action (InvalidAction) was an attempt on the service but is no tracked action.
func isAction(sv *catalog.Service, name string) bool {
	_, ok := sv.Action(name)
	return ok
}

// loadReport authorizes action and reads a report.
func (s *Service) loadReport(ctx context.Context, c *authn.Caller, action, jobID string) (*iam.AccessReport, error) {
	if err := checkJobID(jobID); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, action, "*", nil); err != nil {
		return nil, err
	}
	return view(ctx, s, func(r store.Reader) (*iam.AccessReport, error) {
		rep, _, err := load[iam.AccessReport](ctx, r, account(c), store.KindAccessReport, jobID, noSuchJob(jobID))
		return rep, err
	})
}

// GetServiceLastAccessedDetails returns a report: for each service, when a covered entity last
// used it, which one, and (ACTION_LEVEL) the tracked actions used.
func (s *Service) GetServiceLastAccessedDetails(ctx context.Context, c *authn.Caller, in *sdk.GetServiceLastAccessedDetailsInput) (*sdk.GetServiceLastAccessedDetailsOutput, error) {
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	rep, err := s.loadReport(ctx, c, "iam:GetServiceLastAccessedDetails", str(in.JobId))
	if err != nil {
		return nil, err
	}
	start, end, next, err := slicePage(len(rep.Services), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &sdk.GetServiceLastAccessedDetailsOutput{JobStatus: types.JobStatusTypeCompleted, JobType: types.AccessAdvisorUsageGranularityType(rep.Granularity),
		JobCreationDate: ptr(rep.Created), JobCompletionDate: ptr(rep.Completed), ServicesLastAccessed: []types.ServiceLastAccessed{},
		Marker: next, IsTruncated: next != nil}
	for _, sa := range rep.Services[start:end] {
		o := types.ServiceLastAccessed{ServiceName: ptr(sa.Name), ServiceNamespace: ptr(sa.Namespace), TotalAuthenticatedEntities: ptr(int32(len(sa.Entities)))}
		if len(sa.Entities) > 0 {
			last := sa.Entities[0]
			o.LastAuthenticated, o.LastAuthenticatedEntity = ptr(last.Time), ptr(last.ARN)
			if last.Region != "" {
				o.LastAuthenticatedRegion = ptr(last.Region)
			}
		}
		if rep.Granularity == string(types.AccessAdvisorUsageGranularityTypeActionLevel) && trackedServices[sa.Namespace] {
			o.TrackedActionsLastAccessed = []types.TrackedActionLastAccessed{}
			for _, aa := range sa.Actions {
				o.TrackedActionsLastAccessed = append(o.TrackedActionsLastAccessed, types.TrackedActionLastAccessed{ActionName: ptr(aa.Name),
					LastAccessedEntity: ptr(aa.Entity), LastAccessedRegion: ptr(aa.Region), LastAccessedTime: ptr(aa.Time)})
			}
		}
		out.ServicesLastAccessed = append(out.ServicesLastAccessed, o)
	}
	return out, nil
}

// GetServiceLastAccessedDetailsWithEntities lists, for one service of a report, the covered
// entities that used it and when, most recent first.
func (s *Service) GetServiceLastAccessedDetailsWithEntities(ctx context.Context, c *authn.Caller, in *sdk.GetServiceLastAccessedDetailsWithEntitiesInput) (*sdk.GetServiceLastAccessedDetailsWithEntitiesOutput, error) {
	ns := str(in.ServiceNamespace)
	if err := lengthErrField("serviceNamespace", ns, 1, 64); err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	rep, err := s.loadReport(ctx, c, "iam:GetServiceLastAccessedDetailsWithEntities", str(in.JobId))
	if err != nil {
		return nil, err
	}
	var ents []iam.EntityAccess
	for _, sa := range rep.Services {
		if strings.EqualFold(sa.Namespace, ns) {
			ents = sa.Entities
		}
	}
	start, end, next, err := slicePage(len(ents), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &sdk.GetServiceLastAccessedDetailsWithEntitiesOutput{JobStatus: types.JobStatusTypeCompleted, JobCreationDate: ptr(rep.Created),
		JobCompletionDate: ptr(rep.Completed), EntityDetailsList: []types.EntityDetails{}, Marker: next, IsTruncated: next != nil}
	for _, e := range ents[start:end] {
		out.EntityDetailsList = append(out.EntityDetailsList, types.EntityDetails{LastAuthenticated: ptr(e.Time),
			EntityInfo: &types.EntityInfo{Arn: ptr(e.ARN), Id: ptr(e.ID), Name: ptr(e.Name), Path: ptr(e.Path), Type: types.PolicyOwnerEntityType(e.Type)}})
	}
	return out, nil
}

// noOrganization is IAM's answer to an Organizations access report in an account that belongs to
// no organization (iamd accounts never do).
func noOrganization() error {
	return iam.Errorf("OrganizationNotFoundException", "The request was rejected because no organization is associated with your account.")
}

// GenerateOrganizationsAccessReport answers as AWS does for an account outside AWS
// Organizations.
func (s *Service) GenerateOrganizationsAccessReport(ctx context.Context, c *authn.Caller, in *sdk.GenerateOrganizationsAccessReportInput) (*sdk.GenerateOrganizationsAccessReportOutput, error) {
	path := str(in.EntityPath)
	if err := lengthErrField("entityPath", path, 19, 427); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:GenerateOrganizationsAccessReport", "arn:"+iam.Partition+":iam::"+account(c)+":access-report/"+path, nil); err != nil {
		return nil, err
	}
	return nil, noOrganization()
}

// GetOrganizationsAccessReport answers as AWS does for an account outside AWS Organizations.
func (s *Service) GetOrganizationsAccessReport(ctx context.Context, c *authn.Caller, in *sdk.GetOrganizationsAccessReportInput) (*sdk.GetOrganizationsAccessReportOutput, error) {
	if err := checkJobID(str(in.JobId)); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:GetOrganizationsAccessReport", "*", nil); err != nil {
		return nil, err
	}
	return nil, noOrganization()
}
