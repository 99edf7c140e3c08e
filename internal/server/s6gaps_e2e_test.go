package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
	"github.com/iamd-dev/iamd/internal/samlsp/samltest"
)

// TestS6GapsWebIdentitySourceIdentity: a web identity token's https://aws.amazon.com/source_identity
// claim is the session's source identity (IAM User Guide, "Monitor and control actions taken
// with assumed roles", "Using source identity with AssumeRoleWithWebIdentity"): the trust policy
// must allow sts:SetSourceIdentity, sts:SourceIdentity is in the request, the response and the
// CloudTrail records carry it, and a chained session keeps it and cannot change it.
func TestS6GapsWebIdentitySourceIdentity(t *testing.T) {
	ctx := context.Background()
	w := startWebIdentity(t)
	is, key, srv, root, anon, provARN := w.is, w.key, w.srv, w.root, w.anon, w.provARN
	fedTrust := func(actions, cond string) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":%s%s}]}`, provARN, actions, cond)
	}
	acctTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`
	roles := map[string]string{
		"wi":      fedTrust(`["sts:AssumeRoleWithWebIdentity","sts:SetSourceIdentity"]`, ""),
		"wi-nosi": fedTrust(`"sts:AssumeRoleWithWebIdentity"`, ""),
		"wi-bob":  fedTrust(`["sts:AssumeRoleWithWebIdentity","sts:SetSourceIdentity"]`, `,"Condition":{"StringEquals":{"sts:SourceIdentity":"bob"}}`),
		"next":    acctTrust,
	}
	for name, trust := range roles {
		must[*iam.CreateRoleOutput](t, "CreateRole "+name)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))
	}
	// The wi session may read roles only with its source identity, and chain on.
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy wi")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("wi"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"},` +
			`{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice@example.com"}}}]}`)}))
	roleARN := func(name string) string { return "arn:aws:iam::" + testAccount + ":role/" + name }
	token := func(sourceID any) string {
		return oidctest.Sign(t, key, webIdentityClaims(is.URL, func(c map[string]any) {
			if sourceID != nil {
				c["https://aws.amazon.com/source_identity"] = sourceID
			}
		}))
	}
	assume := func(role, tok string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN(role)),
			RoleSessionName: aws.String("s-" + role), WebIdentityToken: aws.String(tok)})
	}

	const denied = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
	tests := []struct {
		name      string
		role      string
		sourceID  any // the claim's value; nil: no claim
		code, msg string
		wantSID   string
	}{
		{"claim, trust allows SetSourceIdentity", "wi", "alice@example.com", "", "", "alice@example.com"},
		{"no claim, trust allows SetSourceIdentity", "wi", nil, "", "", ""},
		{"claim, trust lacks SetSourceIdentity", "wi-nosi", "alice@example.com", "AccessDenied", denied, ""},
		{"no claim, trust lacks SetSourceIdentity", "wi-nosi", nil, "", "", ""},
		{"sts:SourceIdentity condition met", "wi-bob", "bob", "", "", "bob"},
		{"sts:SourceIdentity condition not met", "wi-bob", "alice@example.com", "AccessDenied", denied, ""},
		{"sts:SourceIdentity condition, no claim", "wi-bob", nil, "AccessDenied", denied, ""},
		{"claim beginning with aws:", "wi", "aws:alice", "InvalidIdentityToken", "", ""},
		{"claim of one character", "wi", "a", "InvalidIdentityToken", "", ""},
		{"claim of 65 characters", "wi", strings.Repeat("s", 65), "InvalidIdentityToken", "", ""},
		{"claim with a space", "wi", "alice smith", "InvalidIdentityToken", "", ""},
		{"claim not a string", "wi", 7, "InvalidIdentityToken", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := assume(tc.role, token(tc.sourceID))
			if tc.code != "" {
				wantCode(t, fmt.Sprintf("AssumeRoleWithWebIdentity %s, claim %v", tc.role, tc.sourceID), err, tc.code, tc.msg)
				return
			}
			if err != nil {
				t.Fatalf("AssumeRoleWithWebIdentity %s, claim %v: %v", tc.role, tc.sourceID, err)
			}
			if got := aws.ToString(out.SourceIdentity); got != tc.wantSID {
				t.Errorf("AssumeRoleWithWebIdentity %s, claim %v: SourceIdentity = %q, want %q", tc.role, tc.sourceID, got, tc.wantSID)
			}
		})
	}

	// The session carries the source identity: aws:SourceIdentity in its requests, kept when it
	// chains on, and not changeable.
	out := must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity wi")(assume("wi", token("alice@example.com")))
	cr := out.Credentials
	sessIAM := iamClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	sessSTS := stsClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	must[*iam.GetRoleOutput](t, "GetRole as the session (aws:SourceIdentity condition)")(sessIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("wi")}))
	noSI := must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity wi without a claim")(assume("wi", token(nil))).Credentials
	_, err := iamClient(srv, aws.ToString(noSI.AccessKeyId), aws.ToString(noSI.SecretAccessKey), aws.ToString(noSI.SessionToken)).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("wi")})
	wantCode(t, "GetRole as a session without a source identity", err, "AccessDenied", "")

	chained := must[*sts.AssumeRoleOutput](t, "chained AssumeRole")(sessSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("next")), RoleSessionName: aws.String("chained")}))
	if got := aws.ToString(chained.SourceIdentity); got != "alice@example.com" {
		t.Errorf("chained AssumeRole: SourceIdentity = %q, want alice@example.com", got)
	}
	_, err = sessSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("next")), RoleSessionName: aws.String("chained"), SourceIdentity: aws.String("mallory")})
	wantCode(t, "chained AssumeRole changing the source identity", err, "AccessDenied", "")

	// CloudTrail: the response elements of AssumeRoleWithWebIdentity, and the session's later
	// calls in userIdentity.sessionContext.
	var got []string
	for _, ev := range lookupOK(t, srv, attr("EventName", "AssumeRoleWithWebIdentity")).Events {
		var rec struct {
			ErrorCode        string
			ResponseElements struct {
				SourceIdentity string `json:"sourceIdentity"`
			} `json:"responseElements"`
		}
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		if rec.ErrorCode == "" && rec.ResponseElements.SourceIdentity != "" {
			got = append(got, rec.ResponseElements.SourceIdentity)
		}
	}
	// Successful calls with a claim: the table's two, and the session above.
	if d := cmp.Diff([]string{"alice@example.com", "alice@example.com", "bob"}, got, cmpSorted); d != "" {
		t.Errorf("responseElements.sourceIdentity of AssumeRoleWithWebIdentity records (-want +got):\n%s", d)
	}
	var sessionSIDs []string
	for _, ev := range lookupOK(t, srv, attr("EventName", "GetRole")).Events {
		var rec struct {
			UserIdentity struct {
				SessionContext struct {
					SourceIdentity string `json:"sourceIdentity"`
				} `json:"sessionContext"`
			} `json:"userIdentity"`
		}
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		sessionSIDs = append(sessionSIDs, rec.UserIdentity.SessionContext.SourceIdentity)
	}
	if d := cmp.Diff([]string{"", "alice@example.com"}, sessionSIDs, cmpSorted); d != "" {
		t.Errorf("userIdentity.sessionContext.sourceIdentity of GetRole records (-want +got):\n%s", d)
	}
}

// cmpSorted compares string slices ignoring order.
var cmpSorted = cmp.Transformer("sorted", func(in []string) []string {
	out := append([]string(nil), in...)
	slices.Sort(out)
	return out
})

// TestS6GapsTagOnCreate: a create call that carries tags needs the resource's Tag* permission too,
// with the tags as aws:RequestTag/* and aws:TagKeys (the IAM User Guide's "Create new users only
// with specific tags" example allows iam:CreateUser and iam:TagUser together; AWS refuses
// creating an OIDC provider with tags without iam:TagOpenIDConnectProvider). A caller allowed
// only the create action is denied when it passes tags, and nothing is created; without tags
// it may create. A Tag* permission conditioned on aws:RequestTag decides by the tags given.
func TestS6GapsTagOnCreate(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	idp := must[*samltest.IdP](t, "test IdP")(samltest.New("https://idp.example.com/saml", time.Now()))
	certBody, certKey := validCert(t, "www.example.com")
	arn := func(kind, name string) string { return "arn:aws:iam::" + testAccount + ":" + kind + "/" + name }
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

	calls := []struct {
		create, tag string
		kind        string // the ARN's resource type
		// resource is the name in the ARN of the resource do creates as name.
		resource func(name string) string
		do       func(c *iam.Client, name string, tags []iamtypes.Tag) error
		get      func(name string) error // root reads the resource: nil when it exists
	}{
		{"iam:CreateUser", "iam:TagUser", "user", nil,
			func(c *iam.Client, name string, tags []iamtypes.Tag) error {
				_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Tags: tags})
				return err
			},
			func(name string) error {
				_, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
				return err
			}},
		{"iam:CreatePolicy", "iam:TagPolicy", "policy", nil,
			func(c *iam.Client, name string, tags []iamtypes.Tag) error {
				_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(allowGet), Tags: tags})
				return err
			},
			func(name string) error {
				_, err := root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn("policy", name))})
				return err
			}},
		{"iam:CreateVirtualMFADevice", "iam:TagMFADevice", "mfa", nil,
			func(c *iam.Client, name string, tags []iamtypes.Tag) error {
				_, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name), Tags: tags})
				return err
			},
			func(name string) error {
				_, err := root.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(arn("mfa", name))})
				return err
			}},
		{"iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "oidc-provider", func(name string) string { return name + ".example.com" },
			func(c *iam.Client, name string, tags []iamtypes.Tag) error {
				_, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://" + name + ".example.com"),
					ClientIDList: []string{"sts.amazonaws.com"}, Tags: tags})
				return err
			},
			func(name string) error {
				_, err := root.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn("oidc-provider", name+".example.com"))})
				return err
			}},
		{"iam:UploadServerCertificate", "iam:TagServerCertificate", "server-certificate", nil,
			func(c *iam.Client, name string, tags []iamtypes.Tag) error {
				_, err := c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String(name),
					CertificateBody: aws.String(certBody), PrivateKey: aws.String(certKey), Tags: tags})
				return err
			},
			func(name string) error {
				_, err := root.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String(name)})
				return err
			}},
		// Already enforced before; kept here so that every create call with tags is covered.
		{"iam:CreateRole", "iam:TagRole", "role", nil,
			func(c *iam.Client, name string, tags []iamtypes.Tag) error {
				_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust), Tags: tags})
				return err
			},
			func(name string) error {
				_, err := root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
				return err
			}},
		{"iam:CreateInstanceProfile", "iam:TagInstanceProfile", "instance-profile", nil,
			func(c *iam.Client, name string, tags []iamtypes.Tag) error {
				_, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(name), Tags: tags})
				return err
			},
			func(name string) error {
				_, err := root.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
				return err
			}},
		{"iam:CreateSAMLProvider", "iam:TagSAMLProvider", "saml-provider", nil,
			func(c *iam.Client, name string, tags []iamtypes.Tag) error {
				_, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String(name), SAMLMetadataDocument: aws.String(idp.Metadata()), Tags: tags})
				return err
			},
			func(name string) error {
				_, err := root.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn("saml-provider", name))})
				return err
			}},
	}

	var creates, tags []string
	for _, c := range calls {
		creates, tags = append(creates, c.create), append(tags, c.tag)
	}
	actions := func(a []string) string { b, _ := json.Marshal(a); return string(b) }
	user := func(name, doc string) *iam.Client {
		must[*iam.CreateUserOutput](t, "CreateUser "+name)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy "+name)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(doc)}))
		k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey "+name)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))
		return iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	}
	// maker may create, not tag; tagger may tag with team=blue only.
	maker := user("maker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":`+actions(creates)+`,"Resource":"*"}]}`)
	tagger := user("tagger", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":`+actions(creates)+`,"Resource":"*"},`+
		`{"Effect":"Allow","Action":`+actions(tags)+`,"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}`)
	team := func(v string) []iamtypes.Tag { return []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String(v)}} }

	tests := []struct {
		name   string
		client *iam.Client
		caller string
		tags   []iamtypes.Tag
		denied bool // by the Tag* action; else created
	}{
		{"create only, with tags", maker, "maker", team("blue"), true},
		{"create only, without tags", maker, "maker", nil, false},
		{"tag condition not met", tagger, "tagger", team("red"), true},
		{"tag keys condition not met", tagger, "tagger", append(team("blue"), iamtypes.Tag{Key: aws.String("env"), Value: aws.String("prod")}), true},
		{"tag condition met", tagger, "tagger", team("blue"), false},
	}
	for _, c := range calls {
		for i, tc := range tests {
			t.Run(c.create+"/"+tc.name, func(t *testing.T) {
				name := fmt.Sprintf("s6-%s-%d", c.kind, i)
				resource := name
				if c.resource != nil {
					resource = c.resource(name)
				}
				err := c.do(tc.client, name, tc.tags)
				if !tc.denied {
					if err != nil {
						t.Fatalf("%s %s by %s with tags %v: %v", c.create, name, tc.caller, tagMap(tc.tags), err)
					}
					if err := c.get(name); err != nil {
						t.Errorf("after %s %s: reading it: %v", c.create, name, err)
					}
					return
				}
				wantCode(t, fmt.Sprintf("%s %s by %s with tags %v", c.create, name, tc.caller, tagMap(tc.tags)), err, "AccessDenied",
					deniedMsg(arn("user", tc.caller), c.tag, arn(c.kind, resource)))
				wantCode(t, fmt.Sprintf("after a denied %s: reading %s", c.create, name), c.get(name), "NoSuchEntity", "")
			})
		}
	}
}
