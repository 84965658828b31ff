package access

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// ACL is one Kafka ACL binding. Plan makes only ALLOW bindings on host "*";
// bindings read from a broker may be anything.
type ACL struct {
	Principal  string
	Host       string
	Resource   kmsg.ACLResourceType // Topic, Group or TransactionalId
	Name       string
	Pattern    kmsg.ACLResourcePatternType // Literal or Prefixed
	Operation  kmsg.ACLOperation
	Permission kmsg.ACLPermissionType
	// Role is the role the binding is planned for; "" for one read from a
	// broker. Not part of the binding's identity.
	Role string
}

// key is the binding's identity on the broker.
func (a ACL) key() ACL { a.Role = ""; return a }

func (a ACL) String() string {
	return fmt.Sprintf("%s %s %s on %s %s:%s from %s", a.Principal, a.Permission, a.Operation, a.Resource, a.Pattern, a.Name, a.Host)
}

// Operations each role is granted, by what it does with a resource.
var (
	opsConsume = []kmsg.ACLOperation{kmsg.ACLOperationRead, kmsg.ACLOperationDescribe}
	// opsWorkerRead: the worker also describes the configs of every topic it uses (EnsureTopics).
	opsWorkerRead  = []kmsg.ACLOperation{kmsg.ACLOperationRead, kmsg.ACLOperationDescribe, kmsg.ACLOperationDescribeConfigs}
	opsWorkerWrite = []kmsg.ACLOperation{kmsg.ACLOperationWrite, kmsg.ACLOperationDescribe, kmsg.ACLOperationDescribeConfigs}
	// opsWorkerState: the audit log, the budget ledger and the placeholder
	// numbering are written, and read back at start.
	opsWorkerState = []kmsg.ACLOperation{kmsg.ACLOperationRead, kmsg.ACLOperationWrite, kmsg.ACLOperationDescribe,
		kmsg.ACLOperationDescribeConfigs}
	opsTxn = []kmsg.ACLOperation{kmsg.ACLOperationWrite, kmsg.ACLOperationDescribe}
)

// Plan returns the ACLs the roles imply on res, sorted by role, principal,
// resource and operation, without duplicates. It grants nothing that is not
// written here:
//
//	worker            input: Read, Describe, DescribeConfigs
//	                  research, stats, quarantine: Write, Describe, DescribeConfigs (+ Create with topics.create)
//	                  audit, budget, placeholders: Read, Write, Describe, DescribeConfigs (+ Create)
//	                  group kafka.group_id: Read; transactional ids with the prefix: Write, Describe
//	researcher        research, stats: Read, Describe
//	auditor           audit: Read, Describe
//	security_officer  quarantine: Read, Describe
//	                  with break-glass: escrow: Read, Describe; audit: Read, Write, Describe;
//	                  its transactional id: Write, Describe (the worker writes the escrow topic)
//	steward           budget: Read, Describe; every topic above: DescribeConfigs
//	every role        its own groups: Read
//
// Nobody but the worker reads the input.
func Plan(r Roles, res Resources) []ACL {
	var out []ACL
	add := func(role string, principals []string, typ kmsg.ACLResourceType, pattern kmsg.ACLResourcePatternType,
		names []string, ops ...kmsg.ACLOperation) {
		for _, p := range principals {
			for _, n := range names {
				for _, op := range ops {
					out = append(out, ACL{Principal: p, Host: "*", Resource: typ, Name: n, Pattern: pattern,
						Operation: op, Permission: kmsg.ACLPermissionTypeAllow, Role: role})
				}
			}
		}
	}
	topic := func(role string, principals []string, names []string, ops ...kmsg.ACLOperation) {
		add(role, principals, kmsg.ACLResourceTypeTopic, kmsg.ACLResourcePatternTypeLiteral, names, ops...)
	}
	outputs := []string{res.Research, res.Stats, res.Quarantine}
	state := []string{res.Audit, res.Budget, res.Placeholders}
	if res.Carry != "" {
		state = append(state, res.Carry)
	}

	w := r.Worker.Principals
	topic(RoleWorker, w, res.Input, opsWorkerRead...)
	topic(RoleWorker, w, outputs, opsWorkerWrite...)
	topic(RoleWorker, w, state, opsWorkerState...)
	if res.CreateTopics {
		topic(RoleWorker, w, append(outputs, state...), kmsg.ACLOperationCreate)
	}
	add(RoleWorker, w, kmsg.ACLResourceTypeGroup, kmsg.ACLResourcePatternTypeLiteral, []string{res.Group}, kmsg.ACLOperationRead)
	add(RoleWorker, w, kmsg.ACLResourceTypeTransactionalId, kmsg.ACLResourcePatternTypePrefixed,
		[]string{res.TransactionalIDPrefix}, opsTxn...)

	topic(RoleResearcher, r.Researcher.Principals, []string{res.Research, res.Stats}, opsConsume...)
	topic(RoleAuditor, r.Auditor.Principals, []string{res.Audit}, opsConsume...)
	topic(RoleSecurityOfficer, r.SecurityOfficer.Principals, []string{res.Quarantine}, opsConsume...)
	if res.Escrow != "" {
		topic(RoleWorker, w, []string{res.Escrow}, opsWorkerWrite...)
		if res.CreateTopics {
			topic(RoleWorker, w, []string{res.Escrow}, kmsg.ACLOperationCreate)
		}
		so := r.SecurityOfficer.Principals
		topic(RoleSecurityOfficer, so, []string{res.Escrow}, opsConsume...)
		topic(RoleSecurityOfficer, so, []string{res.Audit}, kmsg.ACLOperationRead, kmsg.ACLOperationWrite, kmsg.ACLOperationDescribe)
		add(RoleSecurityOfficer, so, kmsg.ACLResourceTypeTransactionalId, kmsg.ACLResourcePatternTypeLiteral,
			[]string{res.BreakGlassTransactionalID}, opsTxn...)
	}
	topic(RoleSteward, r.Steward.Principals, []string{res.Budget}, opsConsume...)
	topic(RoleSteward, r.Steward.Principals, res.topics(), kmsg.ACLOperationDescribeConfigs)
	for _, nr := range r.named() {
		add(nr.name, nr.Principals, kmsg.ACLResourceTypeGroup, kmsg.ACLResourcePatternTypeLiteral, nr.Groups, kmsg.ACLOperationRead)
	}
	return sortUnique(out)
}

// topics lists every topic of res: the input, then the outputs.
func (res Resources) topics() []string {
	t := append(slices.Clone(res.Input), res.Research, res.Stats, res.Quarantine, res.Audit, res.Budget, res.Placeholders)
	for _, x := range []string{res.Carry, res.Escrow} {
		if x != "" {
			t = append(t, x)
		}
	}
	return t
}

var roleOrder = map[string]int{RoleWorker: 0, RoleResearcher: 1, RoleAuditor: 2, RoleSecurityOfficer: 3, RoleSteward: 4, "": 5}

func compareACL(a, b ACL) int {
	return cmp.Or(cmp.Compare(roleOrder[a.Role], roleOrder[b.Role]), cmp.Compare(a.Principal, b.Principal),
		cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Pattern, b.Pattern),
		cmp.Compare(a.Operation, b.Operation), cmp.Compare(a.Permission, b.Permission), cmp.Compare(a.Host, b.Host))
}

// sortUnique sorts acls and drops repeated bindings (the first role that
// planned one keeps it).
func sortUnique(acls []ACL) []ACL {
	slices.SortStableFunc(acls, compareACL)
	seen := map[ACL]bool{}
	out := acls[:0]
	for _, a := range acls {
		if !seen[a.key()] {
			seen[a.key()] = true
			out = append(out, a)
		}
	}
	return out
}

// Write prints acls as a table: role, principal, permission, operation,
// resource type, pattern, name, host.
func Write(w io.Writer, acls []ACL) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tPRINCIPAL\tPERMISSION\tOPERATION\tRESOURCE\tPATTERN\tNAME\tHOST")
	for _, a := range acls {
		role := a.Role
		if role == "" {
			role = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", role, a.Principal, a.Permission, a.Operation, a.Resource,
			a.Pattern, a.Name, a.Host)
	}
	return tw.Flush()
}
