package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// s6IAMTags is n tags k00, k01, … with value v.
func s6IAMTags(n int) []iamtypes.Tag {
	var tags []iamtypes.Tag
	for i := range n {
		tags = append(tags, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	return tags
}

// s6TagEntity is one entity of a taggable kind, reached through its Untag*, Tag* and List*Tags.
type s6TagEntity struct {
	name  string
	untag func(keys []string) error
	tag   func(tags []iamtypes.Tag) error
	list  func() ([]iamtypes.Tag, error)
}

// s6TagEntities creates one entity of each of the eight taggable kinds, each with the tag
// keep=1.
func s6TagEntities(t *testing.T, root *iam.Client) []s6TagEntity {
	t.Helper()
	ctx := context.Background()
	keep := []iamtypes.Tag{{Key: aws.String("keep"), Value: aws.String("1")}}
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("tu"), Tags: keep}))
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("tr"), Tags: keep,
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	policy := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("tp"), Tags: keep,
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)})).Policy.Arn
	must[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("tip"), Tags: keep}))
	mfa := must[*iam.CreateVirtualMFADeviceOutput](t, "CreateVirtualMFADevice")(root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{
		VirtualMFADeviceName: aws.String("tmfa"), Tags: keep})).VirtualMFADevice.SerialNumber
	oidc := must[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider")(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://idp.example.com"), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("a", 40)}, Tags: keep})).OpenIDConnectProviderArn
	saml := must[*iam.CreateSAMLProviderOutput](t, "CreateSAMLProvider")(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
		Name: aws.String("tidp"), SAMLMetadataDocument: aws.String(samlMetadata(t, "https://idp.example.com", "", "")), Tags: keep})).SAMLProviderArn
	cert, key := validCert(t, "www.example.com")
	must[*iam.UploadServerCertificateOutput](t, "UploadServerCertificate")(root.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("tcert"), CertificateBody: aws.String(cert), PrivateKey: aws.String(key), Tags: keep}))
	return []s6TagEntity{
		{"User",
			func(k []string) error {
				_, err := root.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("tu"), TagKeys: k})
				return err
			},
			func(tags []iamtypes.Tag) error {
				_, err := root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("tu"), Tags: tags})
				return err
			},
			func() ([]iamtypes.Tag, error) {
				out, err := root.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("tu")})
				if err != nil {
					return nil, err
				}
				return out.Tags, nil
			}},
		{"Role",
			func(k []string) error {
				_, err := root.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("tr"), TagKeys: k})
				return err
			},
			func(tags []iamtypes.Tag) error {
				_, err := root.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tr"), Tags: tags})
				return err
			},
			func() ([]iamtypes.Tag, error) {
				out, err := root.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("tr")})
				if err != nil {
					return nil, err
				}
				return out.Tags, nil
			}},
		{"Policy",
			func(k []string) error {
				_, err := root.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: policy, TagKeys: k})
				return err
			},
			func(tags []iamtypes.Tag) error {
				_, err := root.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: policy, Tags: tags})
				return err
			},
			func() ([]iamtypes.Tag, error) {
				out, err := root.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: policy})
				if err != nil {
					return nil, err
				}
				return out.Tags, nil
			}},
		{"InstanceProfile",
			func(k []string) error {
				_, err := root.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("tip"), TagKeys: k})
				return err
			},
			func(tags []iamtypes.Tag) error {
				_, err := root.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("tip"), Tags: tags})
				return err
			},
			func() ([]iamtypes.Tag, error) {
				out, err := root.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("tip")})
				if err != nil {
					return nil, err
				}
				return out.Tags, nil
			}},
		{"MFADevice",
			func(k []string) error {
				_, err := root.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: mfa, TagKeys: k})
				return err
			},
			func(tags []iamtypes.Tag) error {
				_, err := root.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: mfa, Tags: tags})
				return err
			},
			func() ([]iamtypes.Tag, error) {
				out, err := root.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: mfa})
				if err != nil {
					return nil, err
				}
				return out.Tags, nil
			}},
		{"OpenIDConnectProvider",
			func(k []string) error {
				_, err := root.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, TagKeys: k})
				return err
			},
			func(tags []iamtypes.Tag) error {
				_, err := root.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, Tags: tags})
				return err
			},
			func() ([]iamtypes.Tag, error) {
				out, err := root.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: oidc})
				if err != nil {
					return nil, err
				}
				return out.Tags, nil
			}},
		{"SAMLProvider",
			func(k []string) error {
				_, err := root.UntagSAMLProvider(ctx, &iam.UntagSAMLProviderInput{SAMLProviderArn: saml, TagKeys: k})
				return err
			},
			func(tags []iamtypes.Tag) error {
				_, err := root.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{SAMLProviderArn: saml, Tags: tags})
				return err
			},
			func() ([]iamtypes.Tag, error) {
				out, err := root.ListSAMLProviderTags(ctx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: saml})
				if err != nil {
					return nil, err
				}
				return out.Tags, nil
			}},
		{"ServerCertificate",
			func(k []string) error {
				_, err := root.UntagServerCertificate(ctx, &iam.UntagServerCertificateInput{ServerCertificateName: aws.String("tcert"), TagKeys: k})
				return err
			},
			func(tags []iamtypes.Tag) error {
				_, err := root.TagServerCertificate(ctx, &iam.TagServerCertificateInput{ServerCertificateName: aws.String("tcert"), Tags: tags})
				return err
			},
			func() ([]iamtypes.Tag, error) {
				out, err := root.ListServerCertificateTags(ctx, &iam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("tcert")})
				if err != nil {
					return nil, err
				}
				return out.Tags, nil
			}},
	}
}

// tagKeysOf is the keys of tags, in order.
func tagKeysOf(tags []iamtypes.Tag) []string {
	var keys []string
	for _, t := range tags {
		keys = append(keys, aws.ToString(t.Key))
	}
	return keys
}

// TestS6TagsUntagKeys: every Untag* checks TagKeys as the model's tagKeyListType says (at most
// 50 keys, each 1–128 characters of the tag key pattern), answering ValidationError and removing
// nothing; 50 valid keys, even keys no tag has, are accepted.
func TestS6TagsUntagKeys(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	entities := s6TagEntities(t, root)

	var keys51 []string
	for i := range 51 {
		keys51 = append(keys51, fmt.Sprintf("keep%02d", i))
	}
	keys51[0] = "keep"
	const prefix = "1 validation error detected: "
	const keyConstraint = `Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`
	long := strings.Repeat("k", 129)
	bad := []struct {
		name string
		keys []string
		msg  string
	}{
		{"51 keys", keys51, prefix + "Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50"},
		// A list of strings whose elements break their constraints: AWS names the list, leaves its
		// value out, and lists the element's constraints (LocalStack's IAM provider).
		{"an empty key", []string{"keep", ""}, prefix + "Value at 'tagKeys' failed to satisfy constraint: " + keyConstraint},
		{"a 129-character key", []string{long, "keep"}, prefix + "Value at 'tagKeys' failed to satisfy constraint: " + keyConstraint},
		{"a key outside the pattern", []string{"keep", "x", "k*"}, prefix + "Value at 'tagKeys' failed to satisfy constraint: " + keyConstraint},
	}
	for _, e := range entities {
		t.Run(e.name, func(t *testing.T) {
			for _, tc := range bad {
				wantCode(t, fmt.Sprintf("Untag%s with %s", e.name, tc.name), e.untag(tc.keys), "ValidationError", tc.msg)
			}
			tags, err := e.list()
			if err != nil {
				t.Fatalf("List%sTags: %v", e.name, err)
			}
			if got, want := tagKeysOf(tags), []string{"keep"}; strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("tags after refused Untag%s = %q, want %q (nothing removed)", e.name, got, want)
			}
			if err := e.untag(keys51[:50]); err != nil {
				t.Fatalf("Untag%s with 50 keys: %v", e.name, err)
			}
			if tags, err = e.list(); err != nil || len(tags) != 0 {
				t.Errorf("tags after Untag%s of keep and 49 absent keys = %v (err %v), want none", e.name, tagKeysOf(tags), err)
			}
		})
	}
}

// TestS6TagsPerRequest: more than 50 tags in one request breaks the model's tagListType
// (ValidationError at 'tags') on each of the 16 calls that take Tags, even for an entity without
// tags; 50 are accepted; the TagsPerX quota (LimitExceeded) stays for the total after merging
// with the tags the entity has.
func TestS6TagsPerRequest(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	const msg = "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`)
	doc := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
	cert, key := validCert(t, "www.example.com")
	metadata := samlMetadata(t, "https://idp.example.com", "", "")
	creates := []struct {
		name   string
		create func(name string, tags []iamtypes.Tag) error
	}{
		{"CreateUser", func(n string, tags []iamtypes.Tag) error {
			_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n), Tags: tags})
			return err
		}},
		{"CreateRole", func(n string, tags []iamtypes.Tag) error {
			_, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: trust, Tags: tags})
			return err
		}},
		{"CreatePolicy", func(n string, tags []iamtypes.Tag) error {
			_, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(n), PolicyDocument: doc, Tags: tags})
			return err
		}},
		{"CreateInstanceProfile", func(n string, tags []iamtypes.Tag) error {
			_, err := root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(n), Tags: tags})
			return err
		}},
		{"CreateVirtualMFADevice", func(n string, tags []iamtypes.Tag) error {
			_, err := root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(n), Tags: tags})
			return err
		}},
		{"CreateOpenIDConnectProvider", func(n string, tags []iamtypes.Tag) error {
			_, err := root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://" + n + ".example.com"),
				ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("a", 40)}, Tags: tags})
			return err
		}},
		{"CreateSAMLProvider", func(n string, tags []iamtypes.Tag) error {
			_, err := root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String(n), SAMLMetadataDocument: aws.String(metadata), Tags: tags})
			return err
		}},
		{"UploadServerCertificate", func(n string, tags []iamtypes.Tag) error {
			_, err := root.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String(n),
				CertificateBody: aws.String(cert), PrivateKey: aws.String(key), Tags: tags})
			return err
		}},
	}
	for _, c := range creates {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, c.name+" with 51 tags", c.create("over", s6IAMTags(51)), "ValidationError", msg)
			if err := c.create("fifty", s6IAMTags(50)); err != nil {
				t.Errorf("%s with 50 tags: %v", c.name, err)
			}
		})
	}

	// The Tag* calls, on entities with one tag (keep).
	for _, e := range s6TagEntities(t, root) {
		t.Run("Tag"+e.name, func(t *testing.T) {
			wantCode(t, "Tag"+e.name+" with 51 tags", e.tag(s6IAMTags(51)), "ValidationError", msg)
			if tags, err := e.list(); err != nil || len(tags) != 1 {
				t.Errorf("tags after the refused Tag%s = %v (err %v), want keep only", e.name, tagKeysOf(tags), err)
			}
			// 45 tags in all, then 10 more in one request: within the request's bound, past the
			// entity's quota.
			if err := e.tag(s6IAMTags(44)); err != nil {
				t.Fatalf("Tag%s to 45 tags: %v", e.name, err)
			}
			more := s6IAMTags(54)[44:]
			wantCode(t, "Tag"+e.name+" of 10 more on 45", e.tag(more), "LimitExceeded", "Cannot exceed quota for TagsPer"+e.name+": 50")
			if err := e.tag(more[:5]); err != nil {
				t.Errorf("Tag%s to exactly 50 tags: %v", e.name, err)
			}
		})
	}
}

// TestS6TagsFederationToken: GetFederationToken refuses more than 50 session tags as AssumeRole
// does (ValidationError at 'tags'), and two keys equal ignoring case (InvalidParameterValue).
func TestS6TagsFederationToken(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := stsClient(srv, rootKey, rootSecret, "")
	var tags []ststypes.Tag
	for i := range 51 {
		tags = append(tags, ststypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	fed := func(tags []ststypes.Tag) (*sts.GetFederationTokenOutput, error) {
		return root.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("visitor"), Policy: aws.String(fedAllowAll), Tags: tags})
	}
	_, err := fed(tags)
	wantCode(t, "GetFederationToken with 51 tags", err, "ValidationError",
		"1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	if _, err := fed(tags[:50]); err != nil {
		t.Errorf("GetFederationToken with 50 tags: %v", err)
	}
	_, err = fed([]ststypes.Tag{{Key: aws.String("Dept"), Value: aws.String("a")}, {Key: aws.String("dept"), Value: aws.String("b")}})
	wantCode(t, "GetFederationToken with Dept and dept", err, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
}

// TestS6TagsExistingUserName: TagUser, UntagUser and ListUserTags name an existing user
// (existingUserNameType, up to 128 characters): a 65- or 128-character name is a user that
// does not exist, a 129-character one breaks the bound; CreateUser keeps userNameType's 64.
func TestS6TagsExistingUserName(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	calls := []struct {
		name string
		call func(user string) error
	}{
		{"TagUser", func(u string) error {
			_, err := root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(u), Tags: s6IAMTags(1)})
			return err
		}},
		{"UntagUser", func(u string) error {
			_, err := root.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String(u), TagKeys: []string{"k00"}})
			return err
		}},
		{"ListUserTags", func(u string) error {
			_, err := root.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(u)})
			return err
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{65, 128} {
				u := strings.Repeat("u", n)
				wantCode(t, fmt.Sprintf("%s of a %d-character name", c.name, n), c.call(u), "NoSuchEntity", "The user with name "+u+" cannot be found.")
			}
			u := strings.Repeat("u", 129)
			wantCode(t, c.name+" of a 129-character name", c.call(u), "ValidationError",
				"1 validation error detected: Value '"+u+"' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 128")
		})
	}
	u := strings.Repeat("u", 65)
	_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)})
	wantCode(t, "CreateUser of a 65-character name", err, "ValidationError",
		"1 validation error detected: Value '"+u+"' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64")
}
