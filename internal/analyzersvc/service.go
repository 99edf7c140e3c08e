package analyzersvc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/iamd-dev/iamd/internal/api/awserr"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/catalog/lintcat"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// The IAM actions the operations authorize, each on resource "*".
const (
	ActionValidatePolicy         = "access-analyzer:ValidatePolicy"
	ActionStartPolicyGeneration  = "access-analyzer:StartPolicyGeneration"
	ActionGetGeneratedPolicy     = "access-analyzer:GetGeneratedPolicy"
	ActionListPolicyGenerations  = "access-analyzer:ListPolicyGenerations"
	ActionCancelPolicyGeneration = "access-analyzer:CancelPolicyGeneration"
)

// Config holds a Service's dependencies.
type Config struct {
	Store  store.Store
	Authz  *authz.Authorizer
	Rand   io.Reader
	Now    func() time.Time
	Logger *slog.Logger
	// Catalog returns the AWS action catalog; nil decodes the embedded one once, on first use.
	Catalog func() (*catalog.Catalog, error)
}

// Service is the Access Analyzer API.
type Service struct {
	store   store.Store
	authz   *authz.Authorizer
	rand    io.Reader
	now     func() time.Time
	logger  *slog.Logger
	catalog func() (*catalog.Catalog, error)
	// lint is the catalog adapted for policy.Lint, built once (adapting indexes the catalog).
	lint func() (policy.Catalog, error)

	// generate runs one job's generation (the polgen-backed default; tests replace it).
	generate generateFunc

	mu      sync.Mutex
	running map[string]context.CancelFunc // job ID → cancel, for jobs of this process
	closed  bool
	base    context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

// New returns the service. Close stops its background jobs.
func New(c Config) *Service {
	cat := c.Catalog
	if cat == nil {
		cat = sync.OnceValues(catalog.Load)
	}
	base, stop := context.WithCancel(context.Background())
	s := &Service{store: c.Store, authz: c.Authz, rand: c.Rand, now: c.Now, logger: c.Logger, catalog: cat,
		running: map[string]context.CancelFunc{}, base: base, stop: stop}
	s.generate = s.polgen
	s.lint = sync.OnceValues(func() (policy.Catalog, error) {
		c, err := s.catalog()
		if err != nil {
			return policy.Catalog{}, err
		}
		return lintcat.Adapt(c), nil
	})
	return s
}

// Close cancels the jobs in progress and waits for their goroutines; they stay IN_PROGRESS in
// the store and read as FAILED after a restart. Call it before closing the store.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stop()
	s.wg.Wait()
}

func (s *Service) authorize(ctx context.Context, c *authn.Caller, action string) error {
	return s.authz.Authorize(ctx, c, authz.Request{Action: action, Resource: "*"})
}

func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// fieldErr is one failed constraint of a member, lowerCamelCase path as AWS names it.
type fieldErr struct{ name, failure string }

// validation returns AWS's ValidationException for failed member constraints: the message
// lists them ("2 validation errors detected: …; …"), fieldList names each member.
func validation(fails ...fieldErr) error {
	msgs := make([]string, len(fails))
	list := make([]types.ValidationExceptionField, len(fails))
	for i, f := range fails {
		msgs[i] = f.failure
		list[i] = types.ValidationExceptionField{Name: ptr(f.name), Message: ptr(f.failure)}
	}
	noun := "errors"
	if len(fails) == 1 {
		noun = "error"
	}
	msg := strconv.Itoa(len(fails)) + " validation " + noun + " detected: " + strings.Join(msgs, "; ")
	return &types.ValidationException{Message: &msg, Reason: types.ValidationExceptionReasonFieldValidationFailed, FieldList: list}
}

// invalid is a ValidationException about the request as a whole.
func invalid(reason types.ValidationExceptionReason, format string, args ...any) error {
	return &types.ValidationException{Message: ptr(fmt.Sprintf(format, args...)), Reason: reason}
}

func notNull(member string) fieldErr { return fieldErr{member, awserr.NotNull(member)} }

// enumErr is the failure of a value outside an enum.
func enumErr[T ~string](member string, v T, values []T) fieldErr {
	vs := make([]string, len(values))
	for i, x := range values {
		vs[i] = string(x)
	}
	return fieldErr{member, awserr.Constraint(string(v), member, "Member must satisfy enum value set: ["+strings.Join(vs, ", ")+"]")}
}

func ptr[T any](v T) *T { return &v }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
