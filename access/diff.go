package access

import (
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Changes is what it takes to bring a broker's ACLs on our resources to the plan.
type Changes struct {
	// Create are planned bindings the broker lacks.
	Create []ACL
	// Delete are ALLOW bindings on our resources (literal names, or the
	// transactional id prefix itself) that the plan does not grant.
	Delete []ACL
	// Broader are ALLOW bindings the plan does not grant that reach our
	// resources through a wildcard or a prefix that also covers resources
	// that are not ours. Removing them could break someone else, so they are
	// reported for a person to decide, never deleted.
	Broader []ACL
	// Kept counts planned bindings the broker already has.
	Kept int
}

// Diff compares the planned ACLs with those a broker holds on res's
// resources (as Existing reads them). DENY bindings are never deleted: they
// only take access away.
func Diff(plan, existing []ACL, res Resources) Changes {
	var ch Changes
	have := map[ACL]bool{}
	for _, a := range existing {
		have[a.key()] = true
	}
	want := map[ACL]bool{}
	for _, a := range plan {
		want[a.key()] = true
		if have[a.key()] {
			ch.Kept++
		} else {
			ch.Create = append(ch.Create, a)
		}
	}
	for _, a := range existing {
		if want[a.key()] || a.Permission != kmsg.ACLPermissionTypeAllow {
			continue
		}
		if res.owns(a) {
			ch.Delete = append(ch.Delete, a)
		} else {
			ch.Broader = append(ch.Broader, a)
		}
	}
	ch.Delete, ch.Broader = sortUnique(ch.Delete), sortUnique(ch.Broader)
	return ch
}

// owns reports whether the binding is on a resource of ours alone: a
// literal topic or group of res, a literal transactional id under the
// prefix, or the prefix itself.
func (res Resources) owns(a ACL) bool {
	switch a.Resource {
	case kmsg.ACLResourceTypeTopic:
		return a.Pattern == kmsg.ACLResourcePatternTypeLiteral && slices.Contains(res.topics(), a.Name)
	case kmsg.ACLResourceTypeGroup:
		return a.Pattern == kmsg.ACLResourcePatternTypeLiteral && (a.Name == res.Group || slices.Contains(res.Groups, a.Name))
	case kmsg.ACLResourceTypeTransactionalId:
		switch a.Pattern {
		case kmsg.ACLResourcePatternTypeLiteral:
			return strings.HasPrefix(a.Name, res.TransactionalIDPrefix) && a.Name != "*"
		case kmsg.ACLResourcePatternTypePrefixed:
			return a.Name == res.TransactionalIDPrefix
		}
	}
	return false
}
