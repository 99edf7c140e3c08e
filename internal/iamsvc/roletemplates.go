package iamsvc

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// Role templates (AcquireRole, GetRoleTemplateVersion).
//
// AWS's role templates are AWS-managed (arn:aws:iam::aws:role-template/SERVICE/NAME:MAJOR) and
// no API creates them; the User Guide lists their names and parameters, not their content. iamd
// therefore ships none: the registry is Config.RoleTemplates, one entry per version (the major
// version in TemplateArn, the minor in MinorVersion), empty unless an embedder fills it, and an
// ARN it lacks answers NoSuchEntity as AWS answers for a template that does not exist.
//
// Patterns and documents name parameters as @{Name}. A String, Number or Arn parameter takes
// exactly one value; a list parameter's values replace a whole JSON string "@{Name}" in a policy
// document with a JSON array (a list with one value may also stand anywhere a string can).
// A parameter not supplied takes its DefaultValue.
//
// Authorization follows the Service Authorization Reference: AcquireRole is not an action of its
// own but iam:GetRoleTemplateVersion on the template, then iam:CreateRole, iam:TagRole,
// iam:PutRolePolicy, iam:AttachRolePolicy and iam:PutRolePermissionsBoundary on the new role for
// each part the template has, each with the iam:RoleTemplateARN context key.
//
// iamd does not record which template a role came from (the role entity has no field for it), so
// GetRole shows no SourceRoleTemplate, and acquiring a name that exists is always NameConflict:
// AWS instead returns the existing role when it was acquired from the same template with the same
// values and is unchanged (RoleModified when it was changed).

// Role template limits (API Reference).
const (
	minTemplateARN       = 20
	maxTemplateARN       = 2048
	maxReplacementValues = 30
)

func checkTemplateARN(arn string) error {
	switch {
	case len(arn) < minTemplateARN:
		return &iam.FieldError{Field: "templateArn", Value: arn, Constraint: "Member must have length greater than or equal to " + strconv.Itoa(minTemplateARN)}
	case len(arn) > maxTemplateARN:
		return &iam.FieldError{Field: "templateArn", Value: arn, Constraint: "Member must have length less than or equal to " + strconv.Itoa(maxTemplateARN)}
	}
	return nil
}

// findTemplate returns the version of the template with the minor version (nil: the template's
// default minor version).
func findTemplate(all []types.RoleTemplateVersion, arn string, minor *int32) (*types.RoleTemplateVersion, error) {
	var versions []*types.RoleTemplateVersion
	for i := range all {
		if str(all[i].TemplateArn) == arn {
			versions = append(versions, &all[i])
		}
	}
	if len(versions) > 0 {
		want := int32(0)
		if minor != nil {
			want = *minor
		} else if d := versions[0].DefaultMinorVersion; d != nil {
			want = *d
		}
		for _, v := range versions {
			if v.MinorVersion != nil && *v.MinorVersion == want || v.MinorVersion == nil && want == 0 {
				return v, nil
			}
		}
	}
	return nil, iam.Errorf(iam.CodeNoSuchEntity, "Role template not found in repository: %s", arn)
}

// GetRoleTemplateVersion returns a version of a role template from the registry.
func (s *Service) GetRoleTemplateVersion(ctx context.Context, c *authn.Caller, in *sdk.GetRoleTemplateVersionInput) (*sdk.GetRoleTemplateVersionOutput, error) {
	arn := str(in.TemplateArn)
	if err := checkTemplateARN(arn); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:GetRoleTemplateVersion", arn, nil); err != nil {
		return nil, err
	}
	v, err := findTemplate(s.templates, arn, in.MinorVersion)
	if err != nil {
		return nil, err
	}
	out := *v
	return &sdk.GetRoleTemplateVersionOutput{RoleTemplateVersion: &out}, nil
}

// renderedRole is a role template version with the replacement values substituted.
type renderedRole struct {
	name, path, description, trust string
	maxSession                     *int32
	inline                         []iam.InlinePolicy // sorted by name
	managed                        []string
	boundary                       string
	tags                           []iam.Tag
}

func renderError(format string, args ...any) error {
	return iam.Errorf(iam.CodeInvalidInput, "Failed to render template: "+format, args...)
}

var listParameter = map[types.ParameterTypeType]bool{
	types.ParameterTypeTypeStringList: true, types.ParameterTypeTypeNumberList: true, types.ParameterTypeTypeArnList: true,
}

// templateValues checks the replacement values against the version's parameters and returns
// every parameter's values (supplied, else the default).
func templateValues(defs []types.ParameterDefinition, in map[string]types.ReplacementValueEntry) (map[string][]string, error) {
	if len(in) > maxReplacementValues {
		return nil, &iam.FieldError{Field: "replacementValues", Value: strconv.Itoa(len(in)) + " entries", Constraint: "Member must have length less than or equal to " + strconv.Itoa(maxReplacementValues)}
	}
	byName := map[string]types.ParameterDefinition{}
	for _, d := range defs {
		byName[str(d.Name)] = d
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := byName[k]; !ok {
			return nil, renderError("Unrecognized parameter: %s", k)
		}
	}
	vals := map[string][]string{}
	for _, d := range defs {
		name := str(d.Name)
		v, ok := in[name]
		switch {
		case ok:
			vals[name] = v.Values
		case d.DefaultValue != nil:
			vals[name] = []string{*d.DefaultValue}
		case d.IsRequired:
			return nil, renderError("Parameter '%s' not found.", name)
		default:
			continue
		}
		if err := checkParameterValues(d, vals[name]); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

func checkParameterValues(d types.ParameterDefinition, vs []string) error {
	name := str(d.Name)
	if !listParameter[d.Type] && len(vs) != 1 {
		return iam.Errorf(iam.CodeValidationError, "%s replacement value must contain exactly one value, got %d", name, len(vs))
	}
	if len(vs) == 0 {
		return iam.Errorf(iam.CodeValidationError, "%s replacement value must contain at least one value, got 0", name)
	}
	for _, v := range vs {
		switch d.Type {
		case types.ParameterTypeTypeNumber, types.ParameterTypeTypeNumberList:
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return renderError("Parameter '%s' must be a number: %s", name, v)
			}
		case types.ParameterTypeTypeArn, types.ParameterTypeTypeArnList:
			if p := strings.SplitN(v, ":", 6); len(p) < 6 || p[0] != "arn" || p[1] == "" || p[2] == "" {
				return renderError("Parameter '%s' must be an ARN: %s", name, v)
			}
		}
	}
	return nil
}

var placeholder = regexp.MustCompile(`"@\{([^{}"]+)\}"|@\{([^{}"]+)\}`)

// substitute replaces the @{Name} placeholders of a plain string (a name, path, description, tag
// or ARN): each parameter must have exactly one value there.
func substitute(text string, vals map[string][]string) (string, error) {
	var err error
	out := placeholder.ReplaceAllStringFunc(text, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		quoted, name := sub[1] != "", sub[1]+sub[2]
		v, e := scalarValue(name, vals)
		if e != nil {
			err = e
			return m
		}
		if quoted {
			return `"` + v + `"`
		}
		return v
	})
	return out, err
}

func scalarValue(name string, vals map[string][]string) (string, error) {
	vs, ok := vals[name]
	if !ok {
		return "", renderError("Parameter '%s' not found.", name)
	}
	if len(vs) != 1 {
		return "", renderError("Parameter '%s' has %d values and cannot be used inside a string.", name, len(vs))
	}
	return vs[0], nil
}

// substituteJSON replaces the placeholders of a policy document: values are JSON-escaped, and a
// whole JSON string naming a list parameter becomes an array of its values.
func substituteJSON(doc string, vals map[string][]string, lists map[string]bool) (string, error) {
	var err error
	out := placeholder.ReplaceAllStringFunc(doc, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		quoted, name := sub[1] != "", sub[1]+sub[2]
		if quoted && lists[name] {
			vs, ok := vals[name]
			if !ok {
				err = renderError("Parameter '%s' not found.", name)
				return m
			}
			return jsonText(vs)
		}
		v, e := scalarValue(name, vals)
		if e != nil {
			err = e
			return m
		}
		s := jsonText(v)
		s = s[1 : len(s)-1] // inside a JSON string
		if quoted {
			return `"` + s + `"`
		}
		return s
	})
	return out, err
}

// jsonText is v as JSON, without HTML escaping.
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings and string slices always encode
	return strings.TrimSuffix(b.String(), "\n")
}

// renderTemplate substitutes the replacement values into every part of a template version.
func renderTemplate(v *types.RoleTemplateVersion, in map[string]types.ReplacementValueEntry) (*renderedRole, error) {
	vals, err := templateValues(v.ParametersDefinition, in)
	if err != nil {
		return nil, err
	}
	lists := map[string]bool{}
	for _, d := range v.ParametersDefinition {
		lists[str(d.Name)] = listParameter[d.Type]
	}
	r := &renderedRole{path: "/", maxSession: v.MaxSessionDuration}
	plain := []struct {
		dst *string
		src *string
	}{{&r.name, v.RoleNamePattern}, {&r.path, v.RolePathPattern}, {&r.description, v.RoleDescriptionPattern}, {&r.boundary, v.PermissionBoundaryArn}}
	for _, p := range plain {
		if p.src == nil {
			continue
		}
		if *p.dst, err = substitute(*p.src, vals); err != nil {
			return nil, err
		}
	}
	if r.trust, err = substituteJSON(str(v.AssumeRolePolicyDocumentTemplate), vals, lists); err != nil {
		return nil, err
	}
	for _, p := range v.InlinePolicyTemplates {
		name, err := substitute(str(p.PolicyName), vals)
		if err != nil {
			return nil, err
		}
		doc, err := substituteJSON(str(p.PolicyDocument), vals, lists)
		if err != nil {
			return nil, err
		}
		r.inline = append(r.inline, iam.InlinePolicy{Name: name, Document: doc})
	}
	sort.SliceStable(r.inline, func(i, j int) bool { return r.inline[i].Name < r.inline[j].Name })
	for _, a := range v.ManagedPolicyArns {
		arn, err := substitute(a, vals)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(r.managed, arn) {
			r.managed = append(r.managed, arn)
		}
	}
	for _, t := range v.RoleTagsTemplate {
		k, err := substitute(str(t.Key), vals)
		if err != nil {
			return nil, err
		}
		val, err := substitute(str(t.Value), vals)
		if err != nil {
			return nil, err
		}
		r.tags = append(r.tags, iam.Tag{Key: k, Value: val})
	}
	return r, nil
}

// checkRendered validates a rendered role as CreateRole, PutRolePolicy, AttachRolePolicy,
// PutRolePermissionsBoundary and TagRole validate their inputs.
func (s *Service) checkRendered(r *renderedRole) error {
	if err := checkRoleName(r.name); err != nil {
		return err
	}
	if err := iam.CheckPath("path", r.path); err != nil {
		return err
	}
	if err := iam.CheckDescription(r.description); err != nil {
		return err
	}
	if err := checkMaxSession(r.maxSession); err != nil {
		return err
	}
	if err := iam.CheckTags("Role", r.tags, nil); err != nil {
		return err
	}
	if r.boundary != "" {
		if err := checkPolicyARN("permissionsBoundary", r.boundary); err != nil {
			return err
		}
	}
	if err := s.checkTrustDoc(r.trust); err != nil {
		return err
	}
	total := 0
	for i, p := range r.inline {
		if err := checkPolicyName(p.Name); err != nil {
			return err
		}
		if i > 0 && r.inline[i-1].Name == p.Name {
			return renderError("Duplicate inline policy name: %s", p.Name)
		}
		if err := checkDocumentField(p.Document); err != nil {
			return err
		}
		if _, err := parsePolicy(p.Document, policy.Identity); err != nil {
			return err
		}
		total += policy.Size(p.Document)
	}
	if limit := s.limits.Get(iam.QuotaRolePolicySize); int64(total) > limit {
		return &iam.LimitError{Message: "Maximum policy size of " + strconv.FormatInt(limit, 10) + " bytes exceeded for role " + r.name, Quota: "InlinePolicySize"}
	}
	for _, arn := range r.managed {
		if err := checkPolicyARN("policyArn", arn); err != nil {
			return err
		}
	}
	if s.limits.Reached(iam.QuotaPoliciesPerRole, len(r.managed)-1) {
		return s.limits.Exceeded(iam.QuotaPoliciesPerRole)
	}
	return nil
}

// authorizeAcquire authorizes each part of the new role with the action that would create it
// outside a template, each with iam:RoleTemplateARN.
func (s *Service) authorizeAcquire(ctx context.Context, c *authn.Caller, template, arn string, r *renderedRole) error {
	with := func(m map[string][]string) map[string][]string { return withKey(m, "iam:RoleTemplateARN", template) }
	create := tagContext(r.tags)
	if r.boundary != "" {
		create = withKey(create, "iam:PermissionsBoundary", r.boundary)
	}
	if err := s.authorize(ctx, c, "iam:CreateRole", arn, with(create)); err != nil {
		return err
	}
	if len(r.tags) > 0 {
		if err := s.authorize(ctx, c, "iam:TagRole", arn, with(tagContext(r.tags))); err != nil {
			return err
		}
	}
	if len(r.inline) > 0 {
		if err := s.authorize(ctx, c, "iam:PutRolePolicy", arn, with(nil)); err != nil {
			return err
		}
	}
	for _, p := range r.managed {
		if err := s.authorize(ctx, c, "iam:AttachRolePolicy", arn, with(map[string][]string{"iam:PolicyARN": {p}})); err != nil {
			return err
		}
	}
	if r.boundary != "" {
		if err := s.authorize(ctx, c, "iam:PutRolePermissionsBoundary", arn, with(map[string][]string{"iam:PermissionsBoundary": {r.boundary}})); err != nil {
			return err
		}
	}
	return nil
}

// AcquireRole creates a role from a role template version: its name, path, description, trust
// policy, inline and managed policies, permissions boundary, tags and maximum session duration,
// with the replacement values substituted. The role and all its parts are created in one
// transaction, or nothing is.
func (s *Service) AcquireRole(ctx context.Context, c *authn.Caller, in *sdk.AcquireRoleInput) (*sdk.AcquireRoleOutput, error) {
	tmpl := str(in.TemplateArn)
	if err := checkTemplateARN(tmpl); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:GetRoleTemplateVersion", tmpl, nil); err != nil {
		return nil, err
	}
	v, err := findTemplate(s.templates, tmpl, in.TemplateMinorVersion)
	if err != nil {
		return nil, err
	}
	if !v.Enabled || !v.VersionEnabled {
		return nil, iam.Errorf("RoleTemplateDisabled", "Role template %s is disabled.", tmpl)
	}
	r, err := renderTemplate(v, in.ReplacementValues)
	if err != nil {
		return nil, err
	}
	if err := s.checkRendered(r); err != nil {
		return nil, err
	}
	acct := account(c)
	arn := iam.RoleARN(acct, r.path, r.name)
	if err := s.authorizeAcquire(ctx, c, tmpl, arn, r); err != nil {
		return nil, err
	}
	id, err := s.newID("AROA")
	if err != nil {
		return nil, err
	}
	maxSession := int32(DefaultSessionDuration)
	if r.maxSession != nil {
		maxSession = *r.maxSession
	}
	role := &iam.Role{Name: r.name, ID: id, Path: r.path, Created: s.nowUTC(), TrustPolicy: r.trust, Description: r.description,
		MaxSessionDuration: maxSession, Boundary: r.boundary, Tags: r.tags, Inline: r.inline}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.AcquireRoleOutput, error) {
		if err := checkTrustPrincipals(ctx, tx, r.trust); err != nil {
			return nil, err
		}
		if r.boundary != "" {
			if err := s.checkBoundary(ctx, tx, r.boundary); err != nil {
				return nil, err
			}
		}
		for _, p := range r.managed {
			if _, _, err := policyByARN(ctx, tx, p); err != nil {
				return nil, err
			}
		}
		e := &store.Entity{Account: acct, Kind: store.KindRole, Name: role.Name, ID: id, Path: role.Path, Created: role.Created}
		conflict := iam.Errorf("NameConflict", "A role with this name already exists in the account but was not created from this template. Choose a different role name, or remove the existing role if it is no longer needed.")
		if err := s.createCounted(ctx, tx, iam.QuotaRoles, e, role, conflict); err != nil {
			return nil, err
		}
		if err := linkBoundary(ctx, tx, acct, id, "", role.Boundary); err != nil {
			return nil, err
		}
		for _, p := range r.managed {
			if err := tx.Link(ctx, acct, store.LinkRolePolicy, role.Name, p); err != nil {
				return nil, err
			}
		}
		// As AWS answers: the role's identity and trust policy only.
		return &sdk.AcquireRoleOutput{Role: &types.Role{RoleName: ptr(role.Name), RoleId: ptr(id), Path: ptr(role.Path),
			Arn: ptr(arn), CreateDate: ptr(role.Created), AssumeRolePolicyDocument: ptr(role.TrustPolicy)}}, nil
	})
}
