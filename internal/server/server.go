package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/analyzersvc"
	"github.com/iamd-dev/iamd/internal/api/analyzerapi"
	"github.com/iamd-dev/iamd/internal/api/iamapi"
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/api/query"
	"github.com/iamd-dev/iamd/internal/api/stsapi"
	"github.com/iamd-dev/iamd/internal/api/trailapi"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/iamsvc"
	"github.com/iamd-dev/iamd/internal/managed/seed"
	"github.com/iamd-dev/iamd/internal/oidc"
	"github.com/iamd-dev/iamd/internal/recorder"
	"github.com/iamd-dev/iamd/internal/secrets"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
	"github.com/iamd-dev/iamd/internal/stssvc"
	"github.com/iamd-dev/iamd/internal/trailsvc"
)

// RootCredentialsFile is the name of the file, in the data directory, that holds the root
// user's access key (mode 0600).
const RootCredentialsFile = "root-credentials"

// Server is a running iamd.
type Server struct {
	// Account is the default account's ID; RootAccessKeyID and RootSecret its root credentials
	// (the secret only when this start created or was given it).
	Account         string
	RootAccessKeyID string
	RootSecret      string

	ln       net.Listener
	scheme   string // "http", or "https" with --tls-cert
	http     *http.Server
	store    *sqlite.DB
	recorder *recorder.Recorder
	analyzer *analyzersvc.Service
	pruner   *pruner
	done     chan error

	closeOnce sync.Once
	closeErr  error
}

// Addr is the listener's address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Endpoint is the URL clients use.
func (s *Server) Endpoint() string { return s.scheme + "://" + s.Addr() }

// Store is the server's store (for tests and offline commands).
func (s *Server) Store() store.Store { return s.store }

// Options are what tests (and embedders) may set beyond the configuration.
type Options struct {
	// OIDCHTTPClient fetches OpenID Connect discovery documents and key sets for
	// AssumeRoleWithWebIdentity (nil: http.DefaultClient, trusting the system roots).
	OIDCHTTPClient *http.Client
	// Retention drives the audit trail pruner in tests (zero: real time).
	Retention RetentionHooks
	// RoleTemplates are the role template versions AcquireRole and GetRoleTemplateVersion serve
	// (nil: none).
	RoleTemplates []iamsdk.RoleTemplateVersion
}

// Start opens everything and starts serving in the background.
func Start(ctx context.Context, cfg config.Config, logger *slog.Logger) (*Server, error) {
	return StartWith(ctx, cfg, logger, Options{})
}

// StartWith is Start with options.
func StartWith(ctx context.Context, cfg config.Config, logger *slog.Logger, opts Options) (_ *Server, err error) {
	limits, err := iam.NewLimits(cfg.Quotas)
	if err != nil {
		return nil, fmt.Errorf("--quota: %w", err)
	}
	// Bind and load the TLS key pair before anything touches the data directory: a start that
	// cannot serve (port in use, bad certificate) must not create the default account and root
	// key, whose secret only the creating start prints.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	defer func() {
		if err != nil {
			ln.Close()
		}
	}()
	var tlsConf *tls.Config
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	keys, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	db, err := sqlite.Config{Path: filepath.Join(cfg.DataDir, "iamd.db")}.Open(ctx, logger)
	if err != nil {
		return nil, err
	}
	if db.InUse() {
		// Two servers on one database would each cache entities and decisions the other changes.
		db.Close()
		return nil, fmt.Errorf("data directory %s is in use by another iamd process (a server, or a command such as iamd trail verify): stop it first", cfg.DataDir)
	}
	srv := &Server{store: db, done: make(chan error, 1), scheme: "http"}
	if err := srv.bootstrap(ctx, cfg, keys); err != nil {
		db.Close()
		return nil, err
	}
	if cfg.ManagedPolicies {
		if res, err := seed.Ensure(ctx, db, time.Now()); err != nil {
			db.Close()
			return nil, err
		} else if res.Loaded > 0 {
			logger.Info("loaded the AWS managed policies", "version", res.Version, "previous", res.Stored, "policies", res.Loaded)
		}
	}
	now := time.Now
	az := authz.New(db, logger, cfg.Enforce != config.EnforceLog)
	an := authn.New(db, keys, nil, logger)
	// The action catalog is decoded once, when a request first needs it, for both services.
	cat := sync.OnceValues(catalog.Load)
	iamSvc := iamsvc.New(iamsvc.Config{Store: db, Authz: az, Keys: keys, Rand: rand.Reader, Now: now, Logger: logger, Limits: limits,
		RoleTemplates: opts.RoleTemplates, Catalog: cat})
	// Permissions boundaries set before iamd linked them to their policies get their links.
	if _, err := iamSvc.LinkBoundaries(ctx, srv.Account); err != nil {
		db.Close()
		return nil, fmt.Errorf("link permissions boundaries: %w", err)
	}
	stsSvc := stssvc.New(stssvc.Config{Store: db, Authz: az, Keys: keys, Rand: rand.Reader, Now: now, Logger: logger,
		WebIdentity: oidc.NewVerifier(opts.OIDCHTTPClient)})
	an.SetSessions(stsSvc)
	if cfg.EncodedAuthorizationMessages {
		az.SetExplainer(stsSvc.EncodeAuthorizationMessage)
	}
	an.UseGeneration(az.Generation())
	srv.recorder = recorder.New(db, logger)
	srv.analyzer = analyzersvc.New(analyzersvc.Config{Store: db, Authz: az, Rand: rand.Reader, Now: now, Logger: logger, Catalog: cat})
	api := &middleware.API{
		Services: []*middleware.Service{iamapi.Service(iamSvc), stsapi.Service(stsSvc)},
		Auth:     an,
		Recorder: srv.recorder,
		// GetSessionToken credentials call IAM only with MFA, and STS only for AssumeRole and
		// GetCallerIdentity.
		SessionLimit: stssvc.SessionTokenLimit,
		Codec:        NewCodec(),
		Logger:       logger,
		Now:          now,
		MaxBody:      cfg.MaxBodyBytes,
		Account:      srv.Account,
		JSON:         map[string]middleware.JSONService{trailapi.SigningName: trailapi.Service(trailsvc.New(trailsvc.Config{Store: db, Authz: az, Logger: logger}))},
		REST:         map[string]*middleware.RESTService{analyzerapi.SigningName: analyzerapi.Service(srv.analyzer)},
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
		srv.scheme = "https"
	}
	srv.ln = ln
	srv.http = &http.Server{
		Handler:           outboundIssuer(api, stsSvc),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	srv.pruner = startPruner(db, cfg.TrailRetentionDays, cfg.TrailRetentionBytes, logger, opts.Retention)
	go func() { srv.done <- srv.http.Serve(ln) }()
	return srv, nil
}

// outboundIssuer serves the accounts' outbound web identity issuers (GET
// /outbound/ACCOUNT/.well-known/openid-configuration and jwks.json, unsigned and public) and
// passes every other request to api.
func outboundIssuer(api http.Handler, sts *stssvc.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acct, doc, ok := stssvc.OutboundPath(r.URL.Path)
		if !ok || r.Method != http.MethodGet && r.Method != http.MethodHead {
			api.ServeHTTP(w, r)
			return
		}
		b, err := sts.OutboundDocument(r.Context(), acct, doc)
		if errors.Is(err, stssvc.ErrNoIssuer) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(b)
	})
}

// NewCodec returns the Query codec with the SDK unions the IAM API uses registered.
func NewCodec() *query.Codec {
	return query.NewCodec(query.WithUnion[iamsdk.PolicyIdentifier](
		&iamsdk.PolicyIdentifierMemberInlinePolicyIdentifier{},
		&iamsdk.PolicyIdentifierMemberPolicyArn{},
		&iamsdk.PolicyIdentifierMemberPolicyType{},
	))
}

// Close stops the listener, waits for in-flight requests, flushes the audit recorder and closes
// the store.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := s.http.Shutdown(ctx)
		if serr := <-s.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		s.recorder.Close()
		s.analyzer.Close()
		s.pruner.stop()
		s.closeErr = errors.Join(err, s.store.Close())
	})
	return s.closeErr
}

// Run starts the server, prints how to use it, and serves until ctx ends.
func Run(ctx context.Context, cfg config.Config, logger *slog.Logger, stdout io.Writer) error {
	t0 := time.Now()
	srv, err := Start(ctx, cfg, logger)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "iamd is serving IAM, STS, CloudTrail (LookupEvents) and IAM Access Analyzer (ValidatePolicy, policy generation) at %s (account %s, started in %s)\n", srv.Endpoint(), srv.Account, time.Since(t0).Round(time.Millisecond))
	fmt.Fprintf(stdout, "\nPoint the aws CLI or an SDK at it:\n  export AWS_ENDPOINT_URL=%s AWS_DEFAULT_REGION=%s\n", srv.Endpoint(), cfg.Region)
	credFile := filepath.Join(cfg.DataDir, RootCredentialsFile)
	if srv.RootSecret != "" && cfg.RootSecretAccessKey == "" {
		fmt.Fprintf(stdout, "  export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s\n", srv.RootAccessKeyID, srv.RootSecret)
		fmt.Fprintf(stdout, "\nThese root credentials are shown once; they are also saved (mode 0600) in %s\n", credFile)
	} else {
		fmt.Fprintf(stdout, "  # root credentials: %s (access key %s)\n", credFile, srv.RootAccessKeyID)
	}
	select {
	case <-ctx.Done():
	case err := <-srv.done:
		srv.done <- err
	}
	return srv.Close()
}

func loadKeys(cfg config.Config) (*secrets.Keyring, error) {
	text := cfg.SealKeys
	if text == "" {
		path := filepath.Join(cfg.DataDir, "keys")
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			kf, gerr := secrets.GenerateKeyFile(rand.Reader)
			if gerr != nil {
				return nil, gerr
			}
			if werr := writeFileExcl(path, []byte(kf)); werr != nil {
				return nil, fmt.Errorf("seal keys: %w", werr)
			}
			b = []byte(kf)
		} else if err != nil {
			return nil, fmt.Errorf("seal keys: %w", err)
		}
		text = string(b)
	}
	k, err := secrets.ParseKeyring(text)
	if err != nil {
		return nil, fmt.Errorf("seal keys: %w", err)
	}
	return k, nil
}

// writeFileExcl creates a new 0600 file, durably.
func writeFileExcl(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type rootCredentials struct {
	AccountID       string `json:"AccountId"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

// bootstrap creates the default account and its root access key on first start.
func (s *Server) bootstrap(ctx context.Context, cfg config.Config, keys *secrets.Keyring) error {
	// The default account is the one recorded in the setting "default-account".
	var acct string
	err := s.store.View(ctx, func(r store.Reader) error {
		e, err := r.Get(ctx, "", store.KindSetting, "default-account")
		if err != nil {
			return err
		}
		acct = string(e.Data)
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	credFile := filepath.Join(cfg.DataDir, RootCredentialsFile)
	if acct != "" {
		s.Account = acct
		if cfg.RootAccessKeyID != "" {
			s.RootAccessKeyID, s.RootSecret = cfg.RootAccessKeyID, cfg.RootSecretAccessKey
			return s.ensureRootKey(ctx, keys, cfg.RootAccessKeyID, cfg.RootSecretAccessKey)
		}
		if b, err := os.ReadFile(credFile); err == nil {
			var rc rootCredentials
			if json.Unmarshal(b, &rc) == nil {
				s.RootAccessKeyID = rc.AccessKeyID
			}
		}
		return nil
	}
	acct = cfg.AccountID
	if acct == "" {
		acct = randomAccount()
	}
	id, secret := cfg.RootAccessKeyID, cfg.RootSecretAccessKey
	if id == "" {
		var err error
		if id, err = secrets.NewAccessKeyID("AKIA", rand.Reader); err != nil {
			return err
		}
		if secret, err = secrets.NewSecretAccessKey(rand.Reader); err != nil {
			return err
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	err = s.store.Update(ctx, func(tx store.Tx) error {
		a, _ := json.Marshal(&iam.Account{ID: acct, Created: now})
		if err := tx.Create(ctx, &store.Entity{Account: acct, Kind: store.KindAccount, Name: acct, Created: now, Data: a}); err != nil {
			return err
		}
		if err := tx.Create(ctx, &store.Entity{Account: "", Kind: store.KindSetting, Name: "default-account", Created: now, Data: []byte(acct)}); err != nil {
			return err
		}
		k := &iam.AccessKey{ID: id, Account: acct, Status: iam.StatusActive, Created: now}
		return iamsvc.NewAccessKey(ctx, tx, keys, k, secret, rand.Reader)
	})
	if err != nil {
		return fmt.Errorf("create the default account: %w", err)
	}
	b, _ := json.MarshalIndent(rootCredentials{acct, id, secret}, "", "  ")
	os.Remove(credFile)
	if err := writeFileExcl(credFile, append(b, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", credFile, err)
	}
	s.Account, s.RootAccessKeyID, s.RootSecret = acct, id, secret
	return nil
}

// ensureRootKey adds the configured root key to the default account if it is not there yet.
func (s *Server) ensureRootKey(ctx context.Context, keys *secrets.Keyring, id, secret string) error {
	return s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.Get(ctx, "", store.KindAccessKey, id); err == nil {
			return nil
		}
		k := &iam.AccessKey{ID: id, Account: s.Account, Status: iam.StatusActive, Created: time.Now().UTC().Truncate(time.Second)}
		return iamsvc.NewAccessKey(ctx, tx, keys, k, secret, rand.Reader)
	})
}

func randomAccount() string {
	var b [8]byte
	rand.Read(b[:])
	var sb strings.Builder
	sb.WriteByte('1' + b[0]%9)
	for i := 1; i < 12; i++ {
		var c [1]byte
		rand.Read(c[:])
		sb.WriteByte('0' + c[0]%10)
	}
	return sb.String()
}
