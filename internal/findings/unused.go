package findings

import (
	"fmt"
	"strings"
	"time"
)

// Unused access, as IAM Access Analyzer's unused access analyzer reports it.

// judged reports whether an entity created at t existed for the whole tracking period.
func (a *auditor) judged(created time.Time) bool { return !created.IsZero() && created.Before(a.since) }

// unusedRole reports whether the role is reported by UnusedIAMRole.
func (a *auditor) unusedRole(r *Role) bool {
	return !r.ServiceLinked() && a.judged(r.Created) && !a.recent(r.LastUsed)
}

func (a *auditor) unusedRoles() {
	for i := range a.s.Roles {
		r := &a.s.Roles[i]
		if a.unusedRole(r) {
			a.add(r.ARN, fmt.Sprintf("Role %s was last used: %s.", r.Name, a.ago(r.LastUsed)),
				Evidence{Created: timePtr(r.Created), LastUsed: timePtr(r.LastUsed)})
		}
	}
}

// unusedPermissions reports, per user and role that existed for the whole period, the services
// (and tracked actions of used services) not accessed in it. A role reported as unused is not
// reported again.
func (a *auditor) unusedPermissions() {
	for _, u := range a.s.Users {
		if a.judged(u.Created) {
			a.unusedServices(u.ARN, "user "+u.Name, u.LastAccessed)
		}
	}
	for i := range a.s.Roles {
		r := &a.s.Roles[i]
		if !r.ServiceLinked() && a.judged(r.Created) && !a.unusedRole(r) {
			a.unusedServices(r.ARN, "role "+r.Name, r.LastAccessed)
		}
	}
}

func (a *auditor) unusedServices(resource, who string, services []ServiceAccess) {
	var ev []Evidence
	var names []string
	for _, sv := range services {
		if !a.recent(sv.LastAccessed) {
			ev = append(ev, Evidence{Service: sv.Namespace, LastUsed: timePtr(sv.LastAccessed), Detail: "service unused"})
			names = append(names, sv.Namespace)
			continue
		}
		var acts []string
		for _, ac := range sv.Actions {
			if !a.recent(ac.LastAccessed) {
				acts = append(acts, sv.Namespace+":"+ac.Name)
			}
		}
		if len(acts) > 0 {
			ev = append(ev, Evidence{Service: sv.Namespace, Actions: acts, LastUsed: timePtr(sv.LastAccessed), Detail: "actions unused"})
			names = append(names, fmt.Sprintf("%s (%d action(s))", sv.Namespace, len(acts)))
		}
	}
	if len(ev) > 0 {
		a.add(resource, fmt.Sprintf("The permissions of %s include access it did not use in the last %d days: %s.", who, a.o.Days, strings.Join(names, ", ")), ev...)
	}
}
