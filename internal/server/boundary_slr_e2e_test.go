package server_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iamsvc"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

const boundaryDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

// policyUse is a policy's counts as GetPolicy, ListPolicies and GetAccountAuthorizationDetails
// report them: attachments and permissions boundary uses, from each.
type policyUse struct {
	Get, List, Details [2]int32
}

// usage reads the counts of the account's policy name from the three calls.
func usage(ctx context.Context, t *testing.T, c *iam.Client, name string) policyUse {
	t.Helper()
	arn := "arn:aws:iam::" + testAccount + ":policy/" + name
	var u policyUse
	p := must[*iam.GetPolicyOutput](t, "GetPolicy "+name)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})).Policy
	u.Get = [2]int32{aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount)}
	l := must[*iam.ListPoliciesOutput](t, "ListPolicies")(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal}))
	for _, p := range l.Policies {
		if aws.ToString(p.Arn) == arn {
			u.List = [2]int32{aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount)}
		}
	}
	d := must[*iam.GetAccountAuthorizationDetailsOutput](t, "GetAccountAuthorizationDetails")(c.GetAccountAuthorizationDetails(ctx,
		&iam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{iamtypes.EntityTypeLocalManagedPolicy}}))
	for _, p := range d.Policies {
		if aws.ToString(p.Arn) == arn {
			u.Details = [2]int32{aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount)}
		}
	}
	return u
}

// uses is the policyUse of a policy attached n times and bounding b entities.
func uses(n, b int32) policyUse {
	return policyUse{Get: [2]int32{n, b}, List: [2]int32{n, b}, Details: [2]int32{n, b}}
}

// TestPermissionsBoundaryUsage: a policy used as a permissions boundary counts its users and
// roles in PermissionsBoundaryUsageCount, and cannot be deleted until none uses it (AWS's
// DeleteConflict); the counts follow every way a boundary is set, moved and removed.
func TestPermissionsBoundaryUsage(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	arn := func(name string) *string { return aws.String("arn:aws:iam::" + testAccount + ":policy/" + name) }
	for _, name := range []string{"pb", "pb2"} {
		must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(boundaryDoc)}))
	}
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`)

	steps := []struct {
		name           string
		do             func() error
		wantPB, wantP2 policyUse
	}{
		{"nothing uses them", func() error { return nil }, uses(0, 0), uses(0, 0)},
		{"CreateUser with a boundary", func() error {
			_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u1"), PermissionsBoundary: arn("pb")})
			return err
		}, uses(0, 1), uses(0, 0)},
		{"CreateRole with a boundary", func() error {
			_, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: trust, PermissionsBoundary: arn("pb")})
			return err
		}, uses(0, 2), uses(0, 0)},
		{"PutRolePermissionsBoundary", func() error {
			if _, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: trust}); err != nil {
				return err
			}
			_, err := root.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r1"), PermissionsBoundary: arn("pb")})
			return err
		}, uses(0, 3), uses(0, 0)},
		{"the same boundary again", func() error {
			_, err := root.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r1"), PermissionsBoundary: arn("pb")})
			return err
		}, uses(0, 3), uses(0, 0)},
		{"an attachment counts apart", func() error {
			_, err := root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: arn("pb")})
			return err
		}, uses(1, 3), uses(0, 0)},
		{"renamed user keeps its boundary", func() error {
			_, err := root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("u1"), NewUserName: aws.String("u1b")})
			return err
		}, uses(1, 3), uses(0, 0)},
		{"PutUserPermissionsBoundary moves it", func() error {
			_, err := root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u1b"), PermissionsBoundary: arn("pb2")})
			return err
		}, uses(1, 2), uses(0, 1)},
		{"PutRolePermissionsBoundary moves it", func() error {
			_, err := root.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r1"), PermissionsBoundary: arn("pb2")})
			return err
		}, uses(1, 1), uses(0, 2)},
		{"DeleteRole", func() error {
			_, err := root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r2")})
			return err
		}, uses(1, 0), uses(0, 2)},
		{"DeleteUserPermissionsBoundary", func() error {
			_, err := root.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u1b")})
			return err
		}, uses(1, 0), uses(0, 1)},
		{"DeleteRolePermissionsBoundary", func() error {
			_, err := root.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("r1")})
			return err
		}, uses(1, 0), uses(0, 0)},
		{"DeleteUser", func() error {
			if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u2"), PermissionsBoundary: arn("pb2")}); err != nil {
				return err
			}
			if u := usage(ctx, t, root, "pb2"); u != uses(0, 1) {
				t.Errorf("pb2 after CreateUser u2 = %+v, want %+v", u, uses(0, 1))
			}
			_, err := root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("u2")})
			return err
		}, uses(1, 0), uses(0, 0)},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if d := cmp.Diff(st.wantPB, usage(ctx, t, root, "pb")); d != "" {
				t.Errorf("pb counts after %s (-want +got):\n%s", st.name, d)
			}
			if d := cmp.Diff(st.wantP2, usage(ctx, t, root, "pb2")); d != "" {
				t.Errorf("pb2 counts after %s (-want +got):\n%s", st.name, d)
			}
		})
	}

	t.Run("DeletePolicy of a boundary", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			set  func() error
		}{
			{"of a role", func() error {
				_, err := root.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r1"), PermissionsBoundary: arn("pb2")})
				return err
			}},
			{"of a user", func() error {
				_, err := root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u1b"), PermissionsBoundary: arn("pb2")})
				return err
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.set(); err != nil {
					t.Fatal(err)
				}
				_, err := root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn("pb2")})
				wantCode(t, "DeletePolicy pb2 "+tc.name, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
				var re *awshttp.ResponseError
				if errors.As(err, &re) && re.HTTPStatusCode() != 409 {
					t.Errorf("DeletePolicy status = %d, want 409", re.HTTPStatusCode())
				}
				// The policy stays, and so does the boundary.
				must[*iam.GetPolicyOutput](t, "GetPolicy pb2")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn("pb2")}))
				if _, err := root.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("r1")}); err != nil {
					t.Fatal(err)
				}
				if _, err := root.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u1b")}); err != nil {
					t.Fatal(err)
				}
			})
		}
		r := must[*iam.GetRoleOutput](t, "GetRole")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r1")}))
		if r.Role.PermissionsBoundary != nil {
			t.Errorf("r1's boundary = %s, want none", aws.ToString(r.Role.PermissionsBoundary.PermissionsBoundaryArn))
		}
		must[*iam.DeletePolicyOutput](t, "DeletePolicy pb2, used by none")(root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn("pb2")}))
	})

	t.Run("role keeps its boundary when DeletePolicy is refused", func(t *testing.T) {
		must[*iam.PutRolePermissionsBoundaryOutput](t, "PutRolePermissionsBoundary")(root.PutRolePermissionsBoundary(ctx,
			&iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r1"), PermissionsBoundary: arn("pb")}))
		must[*iam.DetachRolePolicyOutput](t, "DetachRolePolicy")(root.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: arn("pb")}))
		_, err := root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn("pb")})
		wantCode(t, "DeletePolicy pb", err, "DeleteConflict", "Cannot delete a policy attached to entities.")
		r := must[*iam.GetRoleOutput](t, "GetRole")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r1")}))
		if b := r.Role.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != *arn("pb") {
			t.Errorf("r1's boundary = %+v, want %s", b, *arn("pb"))
		}
		if d := cmp.Diff(uses(0, 1), usage(ctx, t, root, "pb")); d != "" {
			t.Errorf("pb counts (-want +got):\n%s", d)
		}
	})
}

// TestLinkBoundariesBackfill: boundaries stored without their links (data from before iamd kept
// them) get them from LinkBoundaries, once, which the server runs when it starts; the counts and
// DeleteConflict then see them.
func TestLinkBoundariesBackfill(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	srv := start(t, cfg)
	root := iamClient(srv, rootKey, rootSecret, "")
	pb := "arn:aws:iam::" + testAccount + ":policy/pb"
	must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("pb"), PolicyDocument: aws.String(boundaryDoc)}))
	u := must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u"), PermissionsBoundary: aws.String(pb)}))
	r := must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String(pb),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	logger := slog.New(slog.DiscardHandler)
	db, err := sqlite.Config{Path: filepath.Join(dir, "iamd.db")}.Open(ctx, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	links := func() []string {
		var got []string
		if err := db.View(ctx, func(r store.Reader) error {
			got, err = r.LinksTo(ctx, testAccount, store.LinkBoundary, pb)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	wantLinks := []string{aws.ToString(u.User.UserId), aws.ToString(r.Role.RoleId)}
	slices.SortFunc(wantLinks, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	if d := cmp.Diff(wantLinks, links()); d != "" {
		t.Fatalf("boundary links kept by CreateUser and CreateRole (-want +got):\n%s", d)
	}
	// Forget the links, as data stored before them has none.
	forget := func() {
		t.Helper()
		if err := db.Update(ctx, func(tx store.Tx) error {
			// And the mark of the pass that adds them.
			if err := tx.Delete(ctx, testAccount, store.KindSetting, "boundary-links"); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			for _, id := range wantLinks {
				if err := tx.Unlink(ctx, testAccount, store.LinkBoundary, id, pb); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got := links(); len(got) != 0 {
			t.Fatalf("links after Unlink = %v, want none", got)
		}
	}
	forget()
	svc := iamsvc.New(iamsvc.Config{Store: db, Authz: authz.New(db, logger, true), Now: time.Now, Logger: logger})
	for i, want := range []int{2, 0} {
		n, err := svc.LinkBoundaries(ctx, testAccount)
		if err != nil || n != want {
			t.Errorf("LinkBoundaries #%d = %d, %v; want %d links added", i+1, n, err, want)
		}
	}
	if d := cmp.Diff(wantLinks, links()); d != "" {
		t.Errorf("boundary links after LinkBoundaries (-want +got):\n%s", d)
	}
	// The server adds them when it starts.
	forget()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	srv = start(t, cfg)
	root = iamClient(srv, rootKey, rootSecret, "")
	if d := cmp.Diff(uses(0, 2), usage(ctx, t, root, "pb")); d != "" {
		t.Errorf("pb counts after a start on data without the links (-want +got):\n%s", d)
	}
	_, err = root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(pb)})
	wantCode(t, "DeletePolicy pb", err, "DeleteConflict", "Cannot delete a policy attached to entities.")
}

// TestServiceLinkedRolePolicies: CreateServiceLinkedRole attaches the service's service-linked
// role policy, as AWS does; such policies cannot be attached to customer roles, users or groups
// (PolicyNotAttachable); without AWS's managed policies the role gets none.
func TestServiceLinkedRolePolicies(t *testing.T) {
	ctx := context.Background()
	const asg = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"

	t.Run("without AWS managed policies", func(t *testing.T) {
		srv := start(t, testConfig(t, t.TempDir()))
		root := iamClient(srv, rootKey, rootSecret, "")
		must[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole")(root.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")}))
		got := must[*iam.ListAttachedRolePoliciesOutput](t, "ListAttachedRolePolicies")(root.ListAttachedRolePolicies(ctx,
			&iam.ListAttachedRolePoliciesInput{RoleName: aws.String("AWSServiceRoleForAutoScaling")}))
		if len(got.AttachedPolicies) != 0 {
			t.Errorf("attached policies = %+v, want none", got.AttachedPolicies)
		}
	})

	cfg := testConfig(t, t.TempDir())
	cfg.ManagedPolicies = true
	srv := start(t, cfg)
	root := iamClient(srv, rootKey, rootSecret, "")
	data := awsPolicies(t)
	attachments := func(arn string) int32 {
		p := must[*iam.GetPolicyOutput](t, "GetPolicy")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))
		return aws.ToInt32(p.Policy.AttachmentCount)
	}

	t.Run("autoscaling", func(t *testing.T) {
		out := must[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole")(root.CreateServiceLinkedRole(ctx,
			&iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("app")}))
		name := aws.ToString(out.Role.RoleName)
		got := must[*iam.ListAttachedRolePoliciesOutput](t, "ListAttachedRolePolicies")(root.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)}))
		want := []iamtypes.AttachedPolicy{{PolicyArn: aws.String(asg), PolicyName: aws.String("AutoScalingServiceRolePolicy")}}
		if d := cmp.Diff(want, got.AttachedPolicies, cmp.AllowUnexported(iamtypes.AttachedPolicy{})); d != "" {
			t.Errorf("%s's attached policies (-want +got):\n%s", name, d)
		}
		if n := attachments(asg); n != 1 {
			t.Errorf("AttachmentCount of %s = %d, want 1", asg, n)
		}
		must[*iam.DeleteServiceLinkedRoleOutput](t, "DeleteServiceLinkedRole")(root.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(name)}))
		if n := attachments(asg); n != 0 {
			t.Errorf("AttachmentCount of %s after DeleteServiceLinkedRole = %d, want 0", asg, n)
		}
	})

	t.Run("not attachable", func(t *testing.T) {
		must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r3"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
		must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u3")}))
		must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g3")}))
		for _, tc := range []struct {
			name, msg string
			attach    func(arn string) error
			list      func() ([]iamtypes.AttachedPolicy, error)
		}{
			{"role", "Cannot attach a Service Role Policy to a Customer Role.",
				func(arn string) error {
					_, err := root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r3"), PolicyArn: aws.String(arn)})
					return err
				}, func() ([]iamtypes.AttachedPolicy, error) {
					out, err := root.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("r3")})
					if err != nil {
						return nil, err
					}
					return out.AttachedPolicies, nil
				}},
			{"user", "Cannot attach a Service Role Policy to a User.",
				func(arn string) error {
					_, err := root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u3"), PolicyArn: aws.String(arn)})
					return err
				}, func() ([]iamtypes.AttachedPolicy, error) {
					out, err := root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u3")})
					if err != nil {
						return nil, err
					}
					return out.AttachedPolicies, nil
				}},
			{"group", "Cannot attach a Service Role Policy to a Group.",
				func(arn string) error {
					_, err := root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g3"), PolicyArn: aws.String(arn)})
					return err
				}, func() ([]iamtypes.AttachedPolicy, error) {
					out, err := root.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("g3")})
					if err != nil {
						return nil, err
					}
					return out.AttachedPolicies, nil
				}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.attach(asg)
				wantCode(t, "attach "+asg+" to a "+tc.name, err, "PolicyNotAttachable", tc.msg)
				var re *awshttp.ResponseError
				if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
					t.Errorf("attach %s to a %s: HTTP status of %v, want 400", asg, tc.name, err)
				}
				// Other AWS managed policies, under other paths, attach as before.
				const other = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
				if err := tc.attach(other); err != nil {
					t.Errorf("attach %s to a %s: %v", other, tc.name, err)
				}
				got, err := tc.list()
				if err != nil {
					t.Fatal(err)
				}
				var arns []string
				for _, p := range got {
					arns = append(arns, aws.ToString(p.PolicyArn))
				}
				if d := cmp.Diff([]string{other}, arns); d != "" {
					t.Errorf("%s's attached policies (-want +got):\n%s", tc.name, d)
				}
			})
		}
		if n := attachments(asg); n != 0 {
			t.Errorf("AttachmentCount of %s = %d, want 0", asg, n)
		}
	})

	// Every service iamd knows a policy for gets that policy, which AWS's data holds under
	// /aws-service-role/.
	t.Run("every known service", func(t *testing.T) {
		known := iamsvc.ServiceLinkedRolePolicies()
		if len(known) < 100 {
			t.Errorf("%d services with a known policy, want at least 100", len(known))
		}
		services := make([]string, 0, len(known))
		for s := range known {
			services = append(services, s)
		}
		slices.Sort(services)
		for _, service := range services {
			arn := known[service]
			if p := data[arn]; p == nil || p.Path != "/aws-service-role/" {
				t.Errorf("%s: policy %s is not an AWS managed service-linked role policy", service, arn)
				continue
			}
			out, err := root.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service)})
			if err != nil {
				t.Errorf("CreateServiceLinkedRole %s: %v", service, err)
				continue
			}
			got, err := root.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: out.Role.RoleName})
			if err != nil || len(got.AttachedPolicies) != 1 || aws.ToString(got.AttachedPolicies[0].PolicyArn) != arn {
				t.Errorf("%s: role %s has policies %+v (%v), want %s", service, aws.ToString(out.Role.RoleName), got, err, arn)
			}
		}
	})
}

// TestListPoliciesUsageFilter: ListPolicies' PolicyUsageFilter keeps the policies used as
// permissions policies (attached) or as permissions boundaries; OnlyAttached alone keeps the
// attached ones.
func TestListPoliciesUsageFilter(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	arn := func(name string) *string { return aws.String("arn:aws:iam::" + testAccount + ":policy/" + name) }
	for _, name := range []string{"attached", "bound", "both", "unused"} {
		must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(boundaryDoc)}))
	}
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u"), PermissionsBoundary: arn("bound")}))
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("v"), PermissionsBoundary: arn("both")}))
	for _, p := range []string{"attached", "both"} {
		must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: arn(p)}))
	}
	for _, tc := range []struct {
		name string
		in   iam.ListPoliciesInput
		want []string
	}{
		{"all", iam.ListPoliciesInput{}, []string{"attached", "both", "bound", "unused"}},
		{"OnlyAttached", iam.ListPoliciesInput{OnlyAttached: true}, []string{"attached", "both"}},
		{"PermissionsPolicy", iam.ListPoliciesInput{PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsPolicy}, []string{"attached", "both"}},
		{"PermissionsBoundary", iam.ListPoliciesInput{PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary}, []string{"both", "bound"}},
		{"OnlyAttached PermissionsBoundary", iam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary}, []string{"both", "bound"}},
	} {
		tc.in.Scope = iamtypes.PolicyScopeTypeLocal
		out := must[*iam.ListPoliciesOutput](t, "ListPolicies "+tc.name)(root.ListPolicies(ctx, &tc.in))
		var got []string
		for _, p := range out.Policies {
			got = append(got, aws.ToString(p.PolicyName))
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("ListPolicies %s (-want +got):\n%s", tc.name, d)
		}
	}
}
