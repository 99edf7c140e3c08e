package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/iamd-dev/iamd/internal/findings"
)

const auditUsage = `usage: iamd audit [flags]

Check an account against least-privilege practices, through the IAM API: iamd's, or AWS's with
--endpoint-url aws. Prints the findings (severity, code, resource, message, evidence).

Exit status: 0 when no finding is at or above --fail-on (always, with the default none);
2 when one is; 1 on errors (bad flags, API errors).

flags:
`

// auditExitStatus is the exit status when a finding is at or above --fail-on.
const auditExitStatus = 2

// auditFailure is returned when findings reach --fail-on; main exits with its status.
type auditFailure struct {
	n   int
	sev findings.Severity
}

func (e *auditFailure) Error() string {
	return fmt.Sprintf("audit: %d finding(s) at or above %s", e.n, e.sev)
}

// ExitCode is the process's exit status.
func (e *auditFailure) ExitCode() int { return auditExitStatus }

type auditFlags struct {
	endpoint, region, profile string
	days                      int
	json                      bool
	failOn                    string
	checks                    string
}

// runAudit runs `iamd audit`.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return auditWith(ctx, args, getenv, time.Now, stdout, stderr)
}

func auditWith(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) error {
	var f auditFlags
	fs := flag.NewFlagSet("iamd audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.endpoint, "endpoint-url", "", `IAM endpoint (default $AWS_ENDPOINT_URL_IAM, $AWS_ENDPOINT_URL or http://127.0.0.1:8343; "aws" for AWS's own)`)
	fs.StringVar(&f.region, "region", "", "region (default $AWS_REGION, $AWS_DEFAULT_REGION, the profile's, or us-east-1)")
	fs.StringVar(&f.profile, "profile", "", "shared config profile (default $AWS_PROFILE; access keys in $AWS_ACCESS_KEY_ID win over $AWS_PROFILE)")
	fs.IntVar(&f.days, "days", 90, "tracking period in days: keys older than this, and roles, keys, passwords and permissions unused for this long")
	fs.BoolVar(&f.json, "json", false, "print one JSON report instead of text")
	fs.StringVar(&f.failOn, "fail-on", "none", "exit with status 2 when a finding is at or above: critical, high, medium, low, info or none")
	fs.StringVar(&f.checks, "check", "", "comma-separated codes of the checks to run (default all)")
	fs.Usage = func() {
		fmt.Fprint(stderr, auditUsage)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nchecks (code, severity, what):")
		for _, c := range findings.Checks() {
			fmt.Fprintf(stderr, "  %-34s %-8s %s\n", c.Code, c.Severity, c.Title)
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit: unexpected arguments %v", fs.Args())
	}
	if f.days < 1 {
		return fmt.Errorf("audit: --days %d: want 1 or more", f.days)
	}
	var failOn findings.Severity
	if !strings.EqualFold(f.failOn, "none") {
		s, err := findings.ParseSeverity(f.failOn)
		if err != nil {
			return fmt.Errorf("audit: --fail-on: %w", err)
		}
		failOn = s
	}
	var only []string
	for _, c := range strings.Split(f.checks, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if !findings.KnownCode(c) {
			return fmt.Errorf("audit: --check: unknown check %q (iamd audit --help lists them)", c)
		}
		only = append(only, c)
	}
	cat, err := lintCatalog()
	if err != nil {
		return err
	}
	client, err := auditClient(ctx, f, getenv)
	if err != nil {
		return err
	}
	at := now()
	g := gatherer{c: client, warn: stderr, since: at.AddDate(0, 0, -f.days),
		wantLastAccessed: len(only) == 0 || slicesContainsFold(only, findings.CodeUnusedPermission)}
	snap, err := g.snapshot(ctx)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	fds := findings.Audit(snap, findings.Options{Now: at, Days: f.days, Catalog: cat, Only: only})
	rep := findings.NewReport(snap.Account, at, f.days, fds)
	if f.json {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		return fmt.Errorf("audit: write: %w", err)
	}
	if failOn > 0 {
		if n := findings.AtOrAbove(fds, failOn); n > 0 {
			e := &auditFailure{n: n, sev: failOn}
			fmt.Fprintln(stderr, "iamd:", e)
			return e
		}
	}
	return nil
}

func slicesContainsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// noCredentials is the error of an audit with no credentials to sign with.
const noCredentials = "no AWS credentials: export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY " +
	"(for iamd: the root keys it printed on first start, or IAMD_ROOT_*), or pass --profile"

// auditClient builds the IAM client: credentials from --profile, AWS_ACCESS_KEY_ID/…,
// AWS_PROFILE or the SDK's default chain; the endpoint from the flag or the environment.
// It fails when there are no credentials (see checkCredentials). The SDK's log (warnings such as
// "failed to discard remaining HTTP response body", which is about connection reuse) is
// dropped: errors reach the user through the calls' results.
func auditClient(ctx context.Context, f auditFlags, getenv func(string) string) (*iam.Client, error) {
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithLogger(logging.Nop{})}
	switch id := getenv("AWS_ACCESS_KEY_ID"); {
	case f.profile != "":
		opts = append(opts, awsconfig.WithSharedConfigProfile(f.profile))
	case id != "":
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id,
			getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN"))))
	case getenv("AWS_PROFILE") != "":
		opts = append(opts, awsconfig.WithSharedConfigProfile(getenv("AWS_PROFILE")))
	}
	if region := firstNonEmpty(f.region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")); region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("audit: load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	// "aws" leaves the endpoint to the SDK (AWS's own), ignoring AWS_ENDPOINT_URL.
	cfg.BaseEndpoint = nil
	ep := firstNonEmpty(f.endpoint, getenv("AWS_ENDPOINT_URL_IAM"), getenv("AWS_ENDPOINT_URL"), "http://127.0.0.1:8343")
	if ep != "aws" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	if err := checkCredentials(ctx, cfg, ep == "aws", getenv); err != nil {
		return nil, err
	}
	return iam.NewFromConfig(cfg), nil
}

// checkCredentials fails with noCredentials when the configuration has no credentials. The
// SDK's default chain ends with the EC2 instance metadata service (IMDS); it is asked only
// where it can answer: against AWS's own endpoint (an EC2 instance's role), or when
// AWS_EC2_METADATA_SERVICE_ENDPOINT names one (`iamd exec --instance-profile` serves one).
// Elsewhere, reaching the end of the chain means the user gave no credentials, and asking
// 169.254.169.254 would only delay the error.
func checkCredentials(ctx context.Context, cfg aws.Config, awsEndpoint bool, getenv func(string) string) error {
	if cfg.Credentials == nil {
		return fmt.Errorf("audit: %s", noCredentials)
	}
	imds := aws.IsCredentialsProvider(cfg.Credentials, (*ec2rolecreds.Provider)(nil))
	if imds && !awsEndpoint && getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT") == "" {
		return fmt.Errorf("audit: %s", noCredentials)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if imds {
			return fmt.Errorf("audit: %s (the EC2 instance metadata service has none: %w)", noCredentials, err)
		}
		return fmt.Errorf("audit: credentials: %w", err)
	}
	return nil
}

// gatherer reads an account into a findings.Snapshot.
type gatherer struct {
	c    *iam.Client
	warn io.Writer
	// since is the start of the tracking period: last-accessed reports are only generated for
	// users and roles created before it (the others are not judged).
	since            time.Time
	wantLastAccessed bool
	// poll is the wait between polls of reports AWS builds asynchronously.
	poll time.Duration
}

func (g *gatherer) snapshot(ctx context.Context) (*findings.Snapshot, error) {
	s := &findings.Snapshot{}
	if err := g.authDetails(ctx, s); err != nil {
		return nil, err
	}
	if err := g.credentialReport(ctx, s); err != nil {
		return nil, err
	}
	if err := g.liveUsers(ctx, s); err != nil {
		return nil, err
	}
	if err := g.summary(ctx, s); err != nil {
		return nil, err
	}
	if err := g.liveRoot(ctx, s); err != nil {
		return nil, err
	}
	if err := g.passwordPolicy(ctx, s); err != nil {
		return nil, err
	}
	if err := g.oidcProviders(ctx, s); err != nil {
		return nil, err
	}
	if g.wantLastAccessed {
		if err := g.lastAccessedReports(ctx, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// policyText decodes a policy document as GetAccountAuthorizationDetails returns it: AWS
// URL-encodes them (RFC 3986), iamd may not.
func policyText(s *string) string {
	t := aws.ToString(s)
	if strings.HasPrefix(strings.TrimSpace(t), "{") {
		return t
	}
	if d, err := url.PathUnescape(t); err == nil {
		return d
	}
	return t
}

func inlinePolicies(list []types.PolicyDetail) []findings.InlinePolicy {
	out := make([]findings.InlinePolicy, 0, len(list))
	for _, p := range list {
		out = append(out, findings.InlinePolicy{Name: aws.ToString(p.PolicyName), Document: policyText(p.PolicyDocument)})
	}
	return out
}

func attachedPolicies(list []types.AttachedPolicy) []string {
	out := make([]string, 0, len(list))
	for _, p := range list {
		out = append(out, aws.ToString(p.PolicyArn))
	}
	return out
}

func (g *gatherer) authDetails(ctx context.Context, s *findings.Snapshot) error {
	p := iam.NewGetAccountAuthorizationDetailsPaginator(g.c, &iam.GetAccountAuthorizationDetailsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("GetAccountAuthorizationDetails: %w", err)
		}
		for _, u := range out.UserDetailList {
			s.Users = append(s.Users, findings.User{Name: aws.ToString(u.UserName), ARN: aws.ToString(u.Arn),
				Created: aws.ToTime(u.CreateDate), Groups: u.GroupList, Inline: inlinePolicies(u.UserPolicyList),
				Attached: attachedPolicies(u.AttachedManagedPolicies)})
		}
		for _, gr := range out.GroupDetailList {
			s.Groups = append(s.Groups, findings.Group{Name: aws.ToString(gr.GroupName), ARN: aws.ToString(gr.Arn),
				Inline: inlinePolicies(gr.GroupPolicyList), Attached: attachedPolicies(gr.AttachedManagedPolicies)})
		}
		for _, r := range out.RoleDetailList {
			role := findings.Role{Name: aws.ToString(r.RoleName), ARN: aws.ToString(r.Arn), Path: aws.ToString(r.Path),
				Created: aws.ToTime(r.CreateDate), TrustPolicy: policyText(r.AssumeRolePolicyDocument),
				Inline: inlinePolicies(r.RolePolicyList), Attached: attachedPolicies(r.AttachedManagedPolicies)}
			if r.RoleLastUsed != nil {
				role.LastUsed = aws.ToTime(r.RoleLastUsed.LastUsedDate)
			}
			s.Roles = append(s.Roles, role)
		}
		for _, mp := range out.Policies {
			pol := findings.ManagedPolicy{ARN: aws.ToString(mp.Arn), Name: aws.ToString(mp.PolicyName),
				Attachments: int(aws.ToInt32(mp.AttachmentCount))}
			pol.AWSManaged = strings.Contains(pol.ARN, ":iam::aws:policy/")
			for _, v := range mp.PolicyVersionList {
				if v.IsDefaultVersion {
					pol.Document = policyText(v.Document)
				}
			}
			s.Policies = append(s.Policies, pol)
		}
	}
	return nil
}

// credentialReport reads the credential report, generating it (and waiting for it) first: the
// account, the root user, and when the users' passwords were last changed. AWS regenerates the
// report at most every 4 hours, so what the IAM API tells directly (a user's password and MFA
// devices, the root user's MFA and keys) is read again by liveUsers and summary.
func (g *gatherer) credentialReport(ctx context.Context, s *findings.Snapshot) error {
	for try := 0; ; try++ {
		out, err := g.c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return fmt.Errorf("GenerateCredentialReport: %w", err)
		}
		if out.State == types.ReportStateTypeComplete {
			break
		}
		if try == 60 {
			return errors.New("GenerateCredentialReport: the report is still not complete")
		}
		if err := g.wait(ctx); err != nil {
			return err
		}
	}
	rep, err := g.c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		return fmt.Errorf("GetCredentialReport: %w", err)
	}
	if err := applyCredentialReport(s, rep.Content); err != nil {
		return fmt.Errorf("GetCredentialReport: %w", err)
	}
	return nil
}

// applyCredentialReport copies a credential report (CSV) into the snapshot: the account ID, the
// root user, and the users' passwords and MFA.
func applyCredentialReport(s *findings.Snapshot, content []byte) error {
	rows, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil || len(rows) == 0 {
		return fmt.Errorf("unreadable report: %v", err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	byName := map[string]*findings.User{}
	for i := range s.Users {
		byName[s.Users[i].Name] = &s.Users[i]
	}
	for _, row := range rows[1:] {
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(row) {
				return row[i]
			}
			return ""
		}
		mfa := get("mfa_active") == "true"
		if get("user") == "<root_account>" {
			s.Root.ARN = get("arn")
			if a, ok := strings.CutPrefix(s.Root.ARN, "arn:"); ok {
				if parts := strings.Split(a, ":"); len(parts) >= 4 {
					s.Account = parts[3]
				}
			}
			s.Root.MFA = mfa
			s.Root.PasswordLastUsed = reportTime(get("password_last_used"))
			for _, slot := range []string{"access_key_1", "access_key_2"} {
				created := reportTime(get(slot + "_last_rotated"))
				if created.IsZero() && get(slot+"_active") != "true" {
					continue
				}
				s.Root.AccessKeys = append(s.Root.AccessKeys, findings.AccessKey{ID: slot, Active: get(slot+"_active") == "true",
					Created: created, LastUsed: reportTime(get(slot + "_last_used_date"))})
			}
			continue
		}
		u := byName[get("user")]
		if u == nil {
			continue
		}
		u.MFA = mfa
		if get("password_enabled") == "true" {
			changed := reportTime(get("password_last_changed"))
			if changed.IsZero() {
				changed = u.Created
			}
			u.Password = &findings.Password{Changed: changed, LastUsed: reportTime(get("password_last_used"))}
		}
	}
	return nil
}

// reportTime reads a credential report time; "N/A", "no_information", "not_supported" are zero.
func reportTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// liveUsers reads each user's password, MFA devices and access keys as they are now, over what
// a credential report up to 4 hours old said: ListUsers (PasswordLastUsed), GetLoginProfile,
// ListMFADevices, ListAccessKeys and GetAccessKeyLastUsed.
func (g *gatherer) liveUsers(ctx context.Context, s *findings.Snapshot) error {
	lastUsed := map[string]time.Time{}
	p := iam.NewListUsersPaginator(g.c, &iam.ListUsersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ListUsers: %w", err)
		}
		for _, u := range out.Users {
			lastUsed[aws.ToString(u.UserName)] = aws.ToTime(u.PasswordLastUsed)
		}
	}
	for i := range s.Users {
		u := &s.Users[i]
		login, err := g.c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(u.Name)})
		if err != nil && !isNoSuchEntity(err) {
			return fmt.Errorf("GetLoginProfile %s: %w", u.Name, err)
		}
		var profile *types.LoginProfile
		if err == nil {
			profile = login.LoginProfile
		}
		mfa, err := g.c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String(u.Name)})
		if err != nil && !isNoSuchEntity(err) {
			return fmt.Errorf("ListMFADevices %s: %w", u.Name, err)
		}
		applyLive(u, profile, lastUsed[u.Name], err == nil && len(mfa.MFADevices) > 0)
		if err := g.accessKeys(ctx, u, aws.String(u.Name)); err != nil {
			return err
		}
	}
	return nil
}

// isNoSuchEntity reports a NoSuchEntity error: the user has no login profile, or was deleted
// while the audit ran.
func isNoSuchEntity(err error) bool {
	var nse *types.NoSuchEntityException
	return errors.As(err, &nse)
}

// applyLive sets a user's MFA and password from the live calls: profile is the login profile
// (nil: no password) and lastUsed the PasswordLastUsed of ListUsers. The credential report's dates,
// already in u.Password, are kept where they are later: the report's password_last_changed
// follows password changes, which the login profile's CreateDate does not.
func applyLive(u *findings.User, profile *types.LoginProfile, lastUsed time.Time, mfa bool) {
	u.MFA = mfa
	if profile == nil {
		u.Password = nil
		return
	}
	pw := &findings.Password{Changed: aws.ToTime(profile.CreateDate), LastUsed: lastUsed}
	if old := u.Password; old != nil {
		if old.Changed.After(pw.Changed) {
			pw.Changed = old.Changed
		}
		if old.LastUsed.After(pw.LastUsed) {
			pw.LastUsed = old.LastUsed
		}
	}
	if pw.Changed.IsZero() {
		pw.Changed = u.Created
	}
	u.Password = pw
}

// summary reads the root user's MFA and access keys from the account summary, which is live,
// over the credential report's.
func (g *gatherer) summary(ctx context.Context, s *findings.Snapshot) error {
	out, err := g.c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return fmt.Errorf("GetAccountSummary: %w", err)
	}
	applySummary(&s.Root, out.SummaryMap)
	return nil
}

// applySummary sets the root user's MFA and keys from GetAccountSummary's AccountMFAEnabled and
// AccountAccessKeysPresent, where the map has them: keys the report lists are dropped when the
// summary says there are none, and one of unknown dates is assumed when the report lists none.
func applySummary(root *findings.Root, m map[string]int32) {
	if v, ok := m["AccountMFAEnabled"]; ok {
		root.MFA = v > 0
	}
	v, ok := m["AccountAccessKeysPresent"]
	switch {
	case !ok:
	case v == 0:
		root.AccessKeys = nil
	case len(root.AccessKeys) == 0:
		root.AccessKeys = []findings.AccessKey{{ID: "access_key_1", Active: true}}
	}
}

// liveRoot reads the root user's keys (with their IDs) and password use as they are now when
// the audit runs as the root user: only the root user can list its own keys. A caller that is
// not the root user, or that GetUser refuses, keeps what the report and the summary said.
func (g *gatherer) liveRoot(ctx context.Context, s *findings.Snapshot) error {
	// A role's session cannot call GetUser without a user name: an error means "not root" too.
	me, err := g.c.GetUser(ctx, &iam.GetUserInput{})
	if err != nil || me.User == nil || !strings.HasSuffix(aws.ToString(me.User.Arn), ":root") {
		return nil
	}
	if t := aws.ToTime(me.User.PasswordLastUsed); t.After(s.Root.PasswordLastUsed) {
		s.Root.PasswordLastUsed = t
	}
	root := findings.User{Name: "root"}
	if err := g.accessKeys(ctx, &root, nil); err != nil {
		return err
	}
	s.Root.AccessKeys = root.AccessKeys
	return nil
}

func (g *gatherer) passwordPolicy(ctx context.Context, s *findings.Snapshot) error {
	out, err := g.c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if isNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("GetAccountPasswordPolicy: %w", err)
	}
	p := out.PasswordPolicy
	s.PasswordPolicy = &findings.PasswordPolicy{MinimumLength: int(aws.ToInt32(p.MinimumPasswordLength)),
		RequireUppercase: p.RequireUppercaseCharacters, RequireLowercase: p.RequireLowercaseCharacters,
		RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
		MaxAge: int(aws.ToInt32(p.MaxPasswordAge)), ReusePrevention: int(aws.ToInt32(p.PasswordReusePrevention))}
	return nil
}

func (g *gatherer) oidcProviders(ctx context.Context, s *findings.Snapshot) error {
	out, err := g.c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return fmt.Errorf("ListOpenIDConnectProviders: %w", err)
	}
	for _, p := range out.OpenIDConnectProviderList {
		d, err := g.c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: p.Arn})
		if err != nil {
			return fmt.Errorf("GetOpenIDConnectProvider %s: %w", aws.ToString(p.Arn), err)
		}
		s.OIDCProviders = append(s.OIDCProviders, findings.OIDCProvider{ARN: aws.ToString(p.Arn), ClientIDs: d.ClientIDList})
	}
	return nil
}

// accessKeys lists the keys of user (nil: the caller's own) into u with their last use (the
// credential report has no key IDs).
func (g *gatherer) accessKeys(ctx context.Context, u *findings.User, user *string) error {
	p := iam.NewListAccessKeysPaginator(g.c, &iam.ListAccessKeysInput{UserName: user})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ListAccessKeys %s: %w", u.Name, err)
		}
		for _, k := range out.AccessKeyMetadata {
			key := findings.AccessKey{ID: aws.ToString(k.AccessKeyId), Active: k.Status == types.StatusTypeActive, Created: aws.ToTime(k.CreateDate)}
			used, err := g.c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
			if err != nil {
				return fmt.Errorf("GetAccessKeyLastUsed %s: %w", key.ID, err)
			}
			if used.AccessKeyLastUsed != nil {
				key.LastUsed = aws.ToTime(used.AccessKeyLastUsed.LastUsedDate)
			}
			u.AccessKeys = append(u.AccessKeys, key)
		}
	}
	return nil
}

// lastAccessedReports generates an ACTION_LEVEL service last accessed report (services, and
// actions of the services AWS tracks) for each user and role that existed for the whole
// tracking period, then collects them. A report that fails is a warning, not an error.
func (g *gatherer) lastAccessedReports(ctx context.Context, s *findings.Snapshot) error {
	type job struct {
		id     string
		arn    string
		target *[]findings.ServiceAccess
	}
	var jobs []job
	start := func(arn string, created time.Time, target *[]findings.ServiceAccess) error {
		if created.IsZero() || !created.Before(g.since) {
			return nil
		}
		out, err := g.c.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{
			Arn: aws.String(arn), Granularity: types.AccessAdvisorUsageGranularityTypeActionLevel})
		if err != nil {
			return fmt.Errorf("GenerateServiceLastAccessedDetails %s: %w", arn, err)
		}
		jobs = append(jobs, job{aws.ToString(out.JobId), arn, target})
		return nil
	}
	for i := range s.Users {
		if err := start(s.Users[i].ARN, s.Users[i].Created, &s.Users[i].LastAccessed); err != nil {
			return err
		}
	}
	for i := range s.Roles {
		if r := &s.Roles[i]; !r.ServiceLinked() {
			if err := start(r.ARN, r.Created, &r.LastAccessed); err != nil {
				return err
			}
		}
	}
	for _, j := range jobs {
		services, err := g.lastAccessed(ctx, j.id)
		if err != nil {
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				return err
			}
			fmt.Fprintf(g.warn, "iamd audit: warning: no last-accessed data for %s: %v\n", j.arn, err)
			continue
		}
		*j.target = services
	}
	return nil
}

// lastAccessed waits for a report and reads all its pages.
func (g *gatherer) lastAccessed(ctx context.Context, jobID string) ([]findings.ServiceAccess, error) {
	services := []findings.ServiceAccess{}
	in := &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(jobID)}
	for try := 0; ; {
		out, err := g.c.GetServiceLastAccessedDetails(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("GetServiceLastAccessedDetails: %w", err)
		}
		switch out.JobStatus {
		case types.JobStatusTypeInProgress:
			if try++; try > 60 {
				return nil, errors.New("GetServiceLastAccessedDetails: the report is still in progress")
			}
			if err := g.wait(ctx); err != nil {
				return nil, err
			}
			continue
		case types.JobStatusTypeFailed:
			msg := "failed"
			if out.Error != nil {
				msg = aws.ToString(out.Error.Message)
			}
			return nil, &smithy.GenericAPIError{Code: "JobFailed", Message: msg}
		}
		for _, sv := range out.ServicesLastAccessed {
			sa := findings.ServiceAccess{Namespace: aws.ToString(sv.ServiceNamespace), LastAccessed: aws.ToTime(sv.LastAuthenticated)}
			for _, a := range sv.TrackedActionsLastAccessed {
				sa.Actions = append(sa.Actions, findings.ActionAccess{Name: aws.ToString(a.ActionName), LastAccessed: aws.ToTime(a.LastAccessedTime)})
			}
			services = append(services, sa)
		}
		if !out.IsTruncated {
			return services, nil
		}
		in.Marker = out.Marker
	}
}

func (g *gatherer) wait(ctx context.Context) error {
	d := g.poll
	if d == 0 {
		d = 2 * time.Second
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
