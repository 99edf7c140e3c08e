package catalog

import "strings"

// ARNFormatsByService returns every resource type's ARN format grouped by the service named in
// the format (its third field: "arn:${Partition}:s3:::${BucketName}" is under "s3"), which is
// not always the prefix of the service that defines the resource type.
func (c *Catalog) ARNFormatsByService() map[string][]string {
	formats := map[string][]string{}
	for _, prefix := range c.Services() {
		svc, _ := c.Service(prefix)
		for _, rt := range svc.ResourceTypes {
			if parts := strings.SplitN(rt.ARNFormat, ":", 6); len(parts) == 6 {
				formats[parts[2]] = append(formats[parts[2]], rt.ARNFormat)
			}
		}
	}
	return formats
}

// ActionConditionKeys returns, for every action keyed by its lower-case "service:Action" name,
// the condition keys that apply to it: its own, those of its resource references and those of
// the resource types they name.
func (c *Catalog) ActionConditionKeys() map[string][]string {
	keys := map[string][]string{}
	for _, prefix := range c.Services() {
		svc, _ := c.Service(prefix)
		for i := range svc.Actions {
			a := &svc.Actions[i]
			ks := append([]string(nil), a.ConditionKeys...)
			for _, r := range a.ResourceTypes {
				ks = append(ks, r.ConditionKeys...)
				if rt, ok := svc.ResourceType(r.Name); ok {
					ks = append(ks, rt.ConditionKeys...)
				}
			}
			keys[strings.ToLower(a.String())] = ks
		}
	}
	return keys
}
