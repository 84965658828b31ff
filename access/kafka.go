package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Existing reads every ACL binding on the broker that reaches res's topics,
// groups and transactional ids, by exact name, prefix or wildcard (the
// MATCH filter).
func Existing(ctx context.Context, adm *kadm.Client, res Resources) ([]ACL, error) {
	b := kadm.NewACLs().Topics(res.topics()...).Groups(append([]string{res.Group}, res.Groups...)...).
		TransactionalIDs(res.TransactionalIDPrefix).ResourcePatternType(kadm.ACLPatternMatch).
		Operations().Allow().AllowHosts().Deny().DenyHosts()
	results, err := adm.DescribeACLs(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("describing ACLs: %w", err)
	}
	// MATCH finds literal ids only by their exact name: list every literal and
	// prefixed transactional id binding too, and keep those under the prefix.
	txns, err := adm.DescribeACLs(ctx, kadm.NewACLs().TransactionalIDs().ResourcePatternType(kadm.ACLPatternAny).
		Operations().Allow().AllowHosts().Deny().DenyHosts())
	if err != nil {
		return nil, fmt.Errorf("describing transactional id ACLs: %w", err)
	}
	var out []ACL
	for _, r := range append(results, txns...) {
		if r.Err != nil {
			return nil, fmt.Errorf("describing ACLs on %s %s: %w", r.Type, deref(r.Name), r.Err)
		}
		for _, d := range r.Described {
			a := ACL{Principal: d.Principal, Host: d.Host, Resource: d.Type, Name: d.Name, Pattern: d.Pattern,
				Operation: d.Operation, Permission: d.Permission}
			if d.Type == kmsg.ACLResourceTypeTransactionalId && !res.owns(a) && !covers(a, res.TransactionalIDPrefix) {
				continue
			}
			out = append(out, a)
		}
	}
	return sortUnique(out), nil
}

// covers reports whether a wildcard or prefixed binding reaches a name starting with prefix.
func covers(a ACL, prefix string) bool {
	switch a.Pattern {
	case kmsg.ACLResourcePatternTypeLiteral:
		return a.Name == "*"
	case kmsg.ACLResourcePatternTypePrefixed:
		return len(a.Name) <= len(prefix) && prefix[:len(a.Name)] == a.Name
	}
	return false
}

func deref(s *string) string {
	if s == nil {
		return "*"
	}
	return *s
}

// Apply creates ch.Create, then deletes ch.Delete (in that order, so a
// running worker never loses a grant it keeps). ch.Broader is left alone.
func Apply(ctx context.Context, adm *kadm.Client, ch Changes) error {
	var errs []error
	for _, a := range ch.Create {
		res, err := adm.CreateACLs(ctx, builder(a))
		if err != nil {
			return fmt.Errorf("creating ACL %s: %w", a, err)
		}
		for _, r := range res {
			if r.Err != nil {
				errs = append(errs, fmt.Errorf("creating ACL %s: %w (%s)", a, r.Err, r.ErrMessage))
			}
		}
	}
	for _, a := range ch.Delete {
		res, err := adm.DeleteACLs(ctx, builder(a))
		if err != nil {
			return fmt.Errorf("deleting ACL %s: %w", a, err)
		}
		for _, r := range res {
			if r.Err != nil {
				errs = append(errs, fmt.Errorf("deleting ACL %s: %w (%s)", a, r.Err, r.ErrMessage))
			}
		}
	}
	return errors.Join(errs...)
}

// builder makes a kadm builder for exactly one binding, to create it or (as
// a filter) to delete it and nothing else.
func builder(a ACL) *kadm.ACLBuilder {
	b := kadm.NewACLs().ResourcePatternType(a.Pattern).Operations(a.Operation)
	switch a.Resource {
	case kmsg.ACLResourceTypeTopic:
		b.Topics(a.Name)
	case kmsg.ACLResourceTypeGroup:
		b.Groups(a.Name)
	case kmsg.ACLResourceTypeTransactionalId:
		b.TransactionalIDs(a.Name)
	}
	if a.Permission == kmsg.ACLPermissionTypeDeny {
		return b.Deny(a.Principal).DenyHosts(a.Host)
	}
	return b.Allow(a.Principal).AllowHosts(a.Host)
}
