package analyzersvc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// AWS's policy generation quotas (IAM User Guide, "IAM Access Analyzer quotas").
const (
	MaxConcurrentJobs = 1
	MaxJobsPerDay     = 50
	MaxWindow         = 90 * 24 * time.Hour
)

// Page sizes of ListPolicyGenerations.
const (
	defaultListResults = 100
	maxListResults     = 1000
)

// job is a stored policy generation job.
type job struct {
	ID        string          `json:"id"`
	Principal string          `json:"principal"`
	Token     string          `json:"clientToken,omitempty"`
	Request   string          `json:"request"` // hash of the start request, for clientToken reuse
	Status    types.JobStatus `json:"status"`
	Started   time.Time       `json:"started"`
	Completed time.Time       `json:"completed,omitzero"`
	// From and To are the window [From, To); Trails echo cloudTrailDetails.trails.
	From   time.Time     `json:"from"`
	To     time.Time     `json:"to"`
	Trails []types.Trail `json:"trails,omitempty"`

	ErrCode  types.JobErrorCode `json:"errorCode,omitempty"`
	ErrMsg   string             `json:"errorMessage,omitempty"`
	Policies []string           `json:"policies,omitempty"`
	Complete bool               `json:"complete,omitempty"`
}

// outcome is what a generation produced.
type outcome struct {
	Policies []string
	Complete bool
}

// generateFunc runs one job's generation for principal (its canonical ARN) in account.
type generateFunc func(ctx context.Context, account, principal string, j *job) (*outcome, error)

// errPrincipal marks a principal that does not exist (JobError RESOURCE_NOT_FOUND_ERROR).
var errPrincipal = errors.New("principal not found")

func noSuchJob(id string) error {
	return &types.ResourceNotFoundException{Message: ptr("No policy generation job with ID " + id + " exists."),
		ResourceId: ptr(id), ResourceType: ptr("PolicyGeneration")}
}

// StartPolicyGeneration checks the request and the quotas, stores the job IN_PROGRESS and
// starts generating in the background.
func (s *Service) StartPolicyGeneration(ctx context.Context, c *authn.Caller, in *sdk.StartPolicyGenerationInput) (*sdk.StartPolicyGenerationOutput, error) {
	if err := checkStart(in); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, ActionStartPolicyGeneration); err != nil {
		return nil, err
	}
	acct := c.Principal.Account
	principal := *in.PolicyGenerationDetails.PrincipalArn
	if err := checkPrincipal(principal, acct); err != nil {
		return nil, err
	}
	now := s.nowUTC()
	j := &job{Principal: principal, Token: str(in.ClientToken), Request: startHash(in), Status: types.JobStatusInProgress, Started: now,
		From: now.Add(-MaxWindow), To: now.Truncate(time.Second).Add(time.Second)}
	if d := in.CloudTrailDetails; d != nil {
		j.From, j.Trails = d.StartTime.UTC(), d.Trails
		if d.EndTime != nil {
			j.To = d.EndTime.UTC()
		}
		if err := checkWindow(j.From, j.To, now); err != nil {
			return nil, err
		}
	}
	id, err := iam.NewUUID(s.rand)
	if err != nil {
		return nil, err
	}
	j.ID = id
	jctx, err := s.reserve(id)
	if err != nil {
		return nil, err
	}
	var existing string
	err = s.store.Update(ctx, func(tx store.Tx) error {
		existing = ""
		jobs, err := s.jobs(ctx, tx, acct)
		if err != nil {
			return err
		}
		inProgress, today := 0, 0
		for _, o := range jobs {
			if j.Token != "" && o.Token == j.Token {
				if o.Request != j.Request {
					return &types.ConflictException{Message: ptr("The client token " + j.Token + " was already used with a different request."),
						ResourceId: ptr(o.ID), ResourceType: ptr("PolicyGeneration")}
				}
				existing = o.ID
				return nil
			}
			if o.Status == types.JobStatusInProgress {
				inProgress++
			}
			if now.Sub(o.Started) < 24*time.Hour {
				today++
			}
		}
		if inProgress >= MaxConcurrentJobs {
			return quota(fmt.Sprintf("You can run %d policy generation at a time; wait for the one in progress to finish or cancel it.", MaxConcurrentJobs))
		}
		if today >= MaxJobsPerDay {
			return quota(fmt.Sprintf("You can start at most %d policy generations in 24 hours (canceled ones count).", MaxJobsPerDay))
		}
		return createJob(ctx, tx, acct, j)
	})
	if err != nil || existing != "" {
		s.release(id)
		s.wg.Done()
		if err != nil {
			return nil, err
		}
		return &sdk.StartPolicyGenerationOutput{JobId: ptr(existing)}, nil
	}
	go s.run(jctx, acct, *j)
	return &sdk.StartPolicyGenerationOutput{JobId: ptr(id)}, nil
}

func quota(msg string) error {
	return &types.ServiceQuotaExceededException{Message: ptr(msg), ResourceId: ptr(""), ResourceType: ptr("PolicyGeneration")}
}

// checkStart checks the members of a start request.
func checkStart(in *sdk.StartPolicyGenerationInput) error {
	var fails []fieldErr
	if in.PolicyGenerationDetails == nil {
		fails = append(fails, notNull("policyGenerationDetails"))
	} else if in.PolicyGenerationDetails.PrincipalArn == nil {
		fails = append(fails, notNull("policyGenerationDetails.principalArn"))
	}
	if d := in.CloudTrailDetails; d != nil {
		if d.StartTime == nil {
			fails = append(fails, notNull("cloudTrailDetails.startTime"))
		}
		if d.AccessRole == nil {
			fails = append(fails, notNull("cloudTrailDetails.accessRole"))
		}
		if d.Trails == nil {
			fails = append(fails, notNull("cloudTrailDetails.trails"))
		}
		for i, t := range d.Trails {
			if t.CloudTrailArn == nil {
				fails = append(fails, notNull("cloudTrailDetails.trails."+strconv.Itoa(i+1)+".member.cloudTrailArn"))
			}
		}
	}
	if t := in.ClientToken; t != nil && (len(*t) < 1 || len(*t) > 64) {
		fails = append(fails, fieldErr{"clientToken", "Value at 'clientToken' failed to satisfy constraint: Member must have length between 1 and 64"})
	}
	if len(fails) > 0 {
		return validation(fails...)
	}
	return nil
}

// checkPrincipal accepts the ARN of an IAM user or role of the caller's account.
func checkPrincipal(principal, acct string) error {
	a, err := arn.Parse(principal)
	typ, _, _ := strings.Cut(a.Resource, "/")
	if err != nil || a.Service != "iam" || (typ != "user" && typ != "role") || !strings.Contains(a.Resource, "/") {
		return invalid(types.ValidationExceptionReasonFieldValidationFailed, "The principalArn %s is not the ARN of an IAM user or role.", principal)
	}
	if a.Account != acct {
		return invalid(types.ValidationExceptionReasonNotSupported, "The principalArn %s is not in your account %s.", principal, acct)
	}
	return nil
}

// checkWindow checks a job's window against AWS's rules.
func checkWindow(from, to, now time.Time) error {
	switch {
	case from.After(now):
		return invalid(types.ValidationExceptionReasonOther, "The startTime must not be in the future.")
	case from.After(to):
		return invalid(types.ValidationExceptionReasonOther, "The startTime must not be after the endTime.")
	case to.Sub(from) > MaxWindow:
		return invalid(types.ValidationExceptionReasonOther, "The time range from startTime to endTime must not exceed 90 days.")
	}
	return nil
}

// startHash identifies a start request apart from its client token.
func startHash(in *sdk.StartPolicyGenerationInput) string {
	b, _ := json.Marshal(struct {
		P string
		C *types.CloudTrailDetails
	}{*in.PolicyGenerationDetails.PrincipalArn, in.CloudTrailDetails})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// reserve registers a job of this process before it is stored, so that a concurrent read does
// not take it for one a stopped server left behind, and counts its goroutine-to-be in s.wg
// (under the lock that Close takes, so that Close waits for it): the caller either runs the
// job, whose goroutine calls s.wg.Done, or releases the ID and calls s.wg.Done itself.
func (s *Service) reserve(id string) (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("policy generation: the service is shutting down")
	}
	if _, dup := s.running[id]; dup {
		return nil, fmt.Errorf("policy generation: job ID %s is already in use", id)
	}
	ctx, cancel := context.WithCancel(s.base)
	s.running[id] = cancel
	s.wg.Add(1)
	return ctx, nil
}

func (s *Service) release(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cancel, ok := s.running[id]; ok {
		cancel()
		delete(s.running, id)
	}
}

func (s *Service) isRunning(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.running[id]
	return ok
}

// run generates a job's policy and stores the outcome, unless the job was canceled (or the
// service closed) meanwhile.
func (s *Service) run(ctx context.Context, acct string, j job) {
	defer s.wg.Done()
	defer s.release(j.ID)
	out, genErr := s.runJob(ctx, acct, &j)
	if ctx.Err() != nil {
		return
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		cur, e, err := loadJob(ctx, tx, acct, j.ID)
		if err != nil || cur.Status != types.JobStatusInProgress {
			return err
		}
		cur.Completed = s.nowUTC()
		switch {
		case errors.Is(genErr, errPrincipal):
			cur.Status, cur.ErrCode, cur.ErrMsg = types.JobStatusFailed, types.JobErrorCodeResourceNotFoundError, "The principal "+j.Principal+" does not exist."
		case genErr != nil:
			cur.Status, cur.ErrCode, cur.ErrMsg = types.JobStatusFailed, types.JobErrorCodeServiceError, "The policy could not be generated."
		default:
			cur.Status, cur.Policies, cur.Complete = types.JobStatusSucceeded, out.Policies, out.Complete
		}
		return updateJob(ctx, tx, e, cur)
	})
	if err != nil && ctx.Err() == nil {
		s.logger.Error("policy generation: storing the outcome failed", "job", j.ID, "err", err)
	}
}

// runJob resolves the principal and generates.
func (s *Service) runJob(ctx context.Context, acct string, j *job) (*outcome, error) {
	principal, err := s.principal(ctx, acct, j.Principal)
	if err != nil {
		return nil, err
	}
	out, err := s.generate(ctx, acct, principal, j)
	if err != nil && ctx.Err() == nil {
		s.logger.Error("policy generation failed", "job", j.ID, "err", err)
	}
	return out, err
}

// principal returns the canonical ARN of the user or role arnText names (its stored name and
// path), or errPrincipal.
func (s *Service) principal(ctx context.Context, acct, arnText string) (string, error) {
	a, _ := arn.Parse(arnText)
	typ, rest, _ := strings.Cut(a.Resource, "/")
	i := strings.LastIndexByte(rest, '/')
	path, name := "/"+rest[:i+1], rest[i+1:]
	if i < 0 {
		path = "/"
	}
	kind := store.KindUser
	if typ == "role" {
		kind = store.KindRole
	}
	var canonical string
	err := s.store.View(ctx, func(r store.Reader) error {
		e, err := r.Get(ctx, acct, kind, name)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !strings.EqualFold(e.Path, path)) {
			return errPrincipal
		}
		if err != nil {
			return err
		}
		canonical = "arn:" + a.Partition + ":iam::" + acct + ":" + typ + e.Path + e.Name
		return nil
	})
	return canonical, err
}

// GetGeneratedPolicy returns a job's state and, once it SUCCEEDED, the generated policy.
func (s *Service) GetGeneratedPolicy(ctx context.Context, c *authn.Caller, in *sdk.GetGeneratedPolicyInput) (*sdk.GetGeneratedPolicyOutput, error) {
	if in.JobId == nil {
		return nil, validation(notNull("jobId"))
	}
	if err := s.authorize(ctx, c, ActionGetGeneratedPolicy); err != nil {
		return nil, err
	}
	j, err := s.readJob(ctx, c.Principal.Account, *in.JobId)
	if err != nil {
		return nil, err
	}
	res := &types.GeneratedPolicyResult{Properties: &types.GeneratedPolicyProperties{
		PrincipalArn: ptr(j.Principal), IsComplete: ptr(j.Complete),
		CloudTrailProperties: &types.CloudTrailProperties{StartTime: ptr(j.From), EndTime: ptr(j.To), TrailProperties: []types.TrailProperties{}},
	}}
	for _, t := range j.Trails {
		res.Properties.CloudTrailProperties.TrailProperties = append(res.Properties.CloudTrailProperties.TrailProperties,
			types.TrailProperties{CloudTrailArn: t.CloudTrailArn, AllRegions: t.AllRegions, Regions: t.Regions})
	}
	for _, p := range j.Policies {
		if in.IncludeResourcePlaceholders != nil && *in.IncludeResourcePlaceholders {
			if p, err = s.placeholders(p, j.Principal); err != nil {
				return nil, err
			}
		}
		res.GeneratedPolicies = append(res.GeneratedPolicies, types.GeneratedPolicy{Policy: ptr(p)})
	}
	d := &types.JobDetails{JobId: ptr(j.ID), Status: j.Status, StartedOn: ptr(j.Started)}
	if !j.Completed.IsZero() {
		d.CompletedOn = ptr(j.Completed)
	}
	if j.ErrCode != "" {
		d.JobError = &types.JobError{Code: j.ErrCode, Message: ptr(j.ErrMsg)}
	}
	return &sdk.GetGeneratedPolicyOutput{JobDetails: d, GeneratedPolicyResult: res}, nil
}

// placeholders fills resource placeholders into a generated policy of principal.
func (s *Service) placeholders(doc, principal string) (string, error) {
	cat, err := s.catalog()
	if err != nil {
		return "", fmt.Errorf("resource placeholders: %w", err)
	}
	a, err := arn.Parse(principal)
	if err != nil {
		return "", fmt.Errorf("resource placeholders: %w", err)
	}
	return withPlaceholders(doc, cat, a.Partition, a.Account)
}

// ListPolicyGenerations lists the account's jobs, newest first, optionally of one principal.
func (s *Service) ListPolicyGenerations(ctx context.Context, c *authn.Caller, in *sdk.ListPolicyGenerationsInput) (*sdk.ListPolicyGenerationsOutput, error) {
	limit := defaultListResults
	if in.MaxResults != nil {
		if n := *in.MaxResults; n < 1 || n > maxListResults {
			return nil, validation(fieldErr{"maxResults", fmt.Sprintf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", n, maxListResults)})
		}
		limit = int(*in.MaxResults)
	}
	if err := s.authorize(ctx, c, ActionListPolicyGenerations); err != nil {
		return nil, err
	}
	var jobs []*job
	err := s.store.View(ctx, func(r store.Reader) error {
		var err error
		jobs, err = s.jobs(ctx, r, c.Principal.Account)
		return err
	})
	if err != nil {
		return nil, err
	}
	if p := str(in.PrincipalArn); p != "" {
		jobs = slices.DeleteFunc(jobs, func(j *job) bool { return j.Principal != p })
	}
	slices.SortFunc(jobs, func(a, b *job) int {
		if c := b.Started.Compare(a.Started); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	start := 0
	if t := in.NextToken; t != nil {
		start = slices.IndexFunc(jobs, func(j *job) bool { return j.ID == *t })
		if start < 0 {
			return nil, invalid(types.ValidationExceptionReasonOther, "The nextToken is not valid.")
		}
	}
	out := &sdk.ListPolicyGenerationsOutput{PolicyGenerations: []types.PolicyGeneration{}}
	end := min(start+limit, len(jobs))
	if end < len(jobs) {
		out.NextToken = ptr(jobs[end].ID)
	}
	for _, j := range jobs[start:end] {
		g := types.PolicyGeneration{JobId: ptr(j.ID), PrincipalArn: ptr(j.Principal), Status: j.Status, StartedOn: ptr(j.Started)}
		if !j.Completed.IsZero() {
			g.CompletedOn = ptr(j.Completed)
		}
		out.PolicyGenerations = append(out.PolicyGenerations, g)
	}
	return out, nil
}

// CancelPolicyGeneration cancels a job in progress; a finished job is left as it is.
func (s *Service) CancelPolicyGeneration(ctx context.Context, c *authn.Caller, in *sdk.CancelPolicyGenerationInput) (*sdk.CancelPolicyGenerationOutput, error) {
	if in.JobId == nil {
		return nil, validation(notNull("jobId"))
	}
	if err := s.authorize(ctx, c, ActionCancelPolicyGeneration); err != nil {
		return nil, err
	}
	acct, id := c.Principal.Account, *in.JobId
	err := s.store.Update(ctx, func(tx store.Tx) error {
		j, e, err := loadJob(ctx, tx, acct, id)
		if err != nil {
			return err
		}
		if j.Status != types.JobStatusInProgress {
			return nil
		}
		j.Status, j.Completed = types.JobStatusCanceled, s.nowUTC()
		return updateJob(ctx, tx, e, j)
	})
	if err != nil {
		return nil, err
	}
	s.release(id)
	return &sdk.CancelPolicyGenerationOutput{}, nil
}

// readJob loads a job, failing one that a stopped server left IN_PROGRESS.
func (s *Service) readJob(ctx context.Context, acct, id string) (*job, error) {
	var j *job
	err := s.store.View(ctx, func(r store.Reader) error {
		var err error
		j, _, err = loadJob(ctx, r, acct, id)
		return err
	})
	if err != nil || j.Status != types.JobStatusInProgress || s.isRunning(id) {
		return j, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		var e *store.Entity
		var err error
		if j, e, err = loadJob(ctx, tx, acct, id); err != nil || j.Status != types.JobStatusInProgress {
			return err
		}
		s.orphan(j)
		return updateJob(ctx, tx, e, j)
	})
	return j, err
}

// orphan marks a job that no goroutine of this process runs as failed.
func (s *Service) orphan(j *job) {
	j.Status, j.Completed = types.JobStatusFailed, s.nowUTC()
	j.ErrCode, j.ErrMsg = types.JobErrorCodeServiceError, "The job was interrupted: iamd stopped while it ran."
}

// jobs returns the account's jobs; in a write transaction it also fails the orphaned ones.
func (s *Service) jobs(ctx context.Context, r store.Reader, acct string) ([]*job, error) {
	ents, _, err := r.List(ctx, acct, store.KindPolicyGeneration, store.Page{})
	if err != nil {
		return nil, err
	}
	tx, writable := r.(store.Tx)
	out := make([]*job, 0, len(ents))
	for _, e := range ents {
		j := new(job)
		if err := json.Unmarshal(e.Data, j); err != nil {
			return nil, fmt.Errorf("decode policy generation %s: %w", e.Name, err)
		}
		if writable && j.Status == types.JobStatusInProgress && !s.isRunning(j.ID) {
			s.orphan(j)
			if err := updateJob(ctx, tx, e, j); err != nil {
				return nil, err
			}
		}
		out = append(out, j)
	}
	return out, nil
}

func loadJob(ctx context.Context, r store.Reader, acct, id string) (*job, *store.Entity, error) {
	e, err := r.Get(ctx, acct, store.KindPolicyGeneration, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, noSuchJob(id)
	}
	if err != nil {
		return nil, nil, err
	}
	j := new(job)
	if err := json.Unmarshal(e.Data, j); err != nil {
		return nil, nil, fmt.Errorf("decode policy generation %s: %w", id, err)
	}
	return j, e, nil
}

func createJob(ctx context.Context, tx store.Tx, acct string, j *job) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return tx.Create(ctx, &store.Entity{Account: acct, Kind: store.KindPolicyGeneration, Name: j.ID, Path: "/", Created: j.Started, Data: b})
}

func updateJob(ctx context.Context, tx store.Tx, e *store.Entity, j *job) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	e.Data = b
	return tx.Update(ctx, e)
}
