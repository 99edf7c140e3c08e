package analyzersvc

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/iamd-dev/iamd/internal/catalog"
)

// placeholderStatement is a generated statement, its elements kept as written.
type placeholderStatement struct {
	Sid       string          `json:"Sid,omitempty"`
	Effect    string          `json:"Effect"`
	Action    json.RawMessage `json:"Action"`
	Resource  json.RawMessage `json:"Resource"`
	Condition json.RawMessage `json:"Condition,omitempty"`
}

// withPlaceholders answers GetGeneratedPolicy's includeResourcePlaceholders: in each statement
// whose Resource is "*" although every one of its actions has resource types (see
// mainResources), "*" becomes the ARN formats of those types, with ${Partition} and ${Account} filled in and the
// other variables left as placeholders ("arn:aws:s3:::${BucketName}"). Statements with an
// action that has no resource-level permissions keep "*".
func withPlaceholders(doc string, cat *catalog.Catalog, partition, account string) (string, error) {
	var p struct {
		Version   string                 `json:"Version"`
		Statement []placeholderStatement `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return "", fmt.Errorf("generated policy: %w", err)
	}
	changed := false
	for i := range p.Statement {
		st := &p.Statement[i]
		if !isStar(st.Resource) {
			continue
		}
		formats, ok := actionFormats(st.Action, cat)
		if !ok {
			continue
		}
		r := strings.NewReplacer("${Partition}", partition, "${Account}", account)
		for j, f := range formats {
			formats[j] = r.Replace(f)
		}
		b, err := json.Marshal(formats)
		if err != nil {
			return "", err
		}
		st.Resource, changed = b, true
	}
	if !changed {
		return doc, nil
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func isStar(raw json.RawMessage) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == "*"
	}
	var list []string
	return json.Unmarshal(raw, &list) == nil && len(list) == 1 && list[0] == "*"
}

// actionFormats returns the ARN formats of the required resource types of every action, sorted,
// or false when an action is a wildcard, unknown, or has no required resource type.
func actionFormats(raw json.RawMessage, cat *catalog.Catalog) ([]string, bool) {
	var actions []string
	if err := json.Unmarshal(raw, &actions); err != nil {
		var one string
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, false
		}
		actions = []string{one}
	}
	var formats []string
	for _, name := range actions {
		a, ok := cat.Action(name)
		if !ok || strings.ContainsAny(name, "*?") {
			return nil, false
		}
		svc, _ := cat.Service(a.Service)
		refs := mainResources(a)
		n := 0
		for _, ref := range refs {
			if rt, ok := svc.ResourceType(ref.Name); ok && rt.ARNFormat != "" {
				formats = append(formats, rt.ARNFormat)
				n++
			}
		}
		if n == 0 {
			return nil, false
		}
	}
	slices.Sort(formats)
	return slices.Compact(formats), true
}

// mainResources returns the resource types a placeholder names for an action: the required
// ones; when the catalog marks none as required, those the action's name ends with
// (s3:GetObject → object, not the access point's object); else all of them.
func mainResources(a *catalog.Action) []catalog.ResourceRef {
	req := slices.DeleteFunc(slices.Clone(a.ResourceTypes), func(r catalog.ResourceRef) bool { return !r.Required })
	if len(req) > 0 {
		return req
	}
	named := slices.DeleteFunc(slices.Clone(a.ResourceTypes), func(r catalog.ResourceRef) bool {
		return !strings.HasSuffix(strings.ToLower(a.Name), strings.ToLower(r.Name))
	})
	if len(named) > 0 {
		return named
	}
	return a.ResourceTypes
}
