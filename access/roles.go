// Package access turns the roles of the config (who is the worker, who
// researches, audits, guards the quarantine, stewards the data) into the Kafka
// ACLs that give each exactly what its role needs, and checks that no one
// holds two duties that must stay apart.
//
// Everything here but kafka.go is a pure function of the config: Plan is the
// desired ACL set, Diff compares it with what the broker holds, CheckDuties
// the separation of duties. kafka.go reads and changes the broker's ACLs with
// franz-go's kadm.
package access

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid marks a roles section that cannot be used; the message names the key.
var ErrInvalid = errors.New("invalid roles")

// ErrDuties marks a roles section that gives one principal duties that must
// stay apart (raw PHI and research keys, writing and auditing the log).
var ErrDuties = errors.New("separation of duties violated")

// Role binds one role to the Kafka principals that act in it and to the
// envelope recipients (public key files) whose private keys its members hold.
type Role struct {
	// Principals are Kafka principals, "User:name" (SASL/SCRAM user, or the
	// name a TLS client certificate maps to). Never the wildcard User:*.
	Principals []string `yaml:"principals"`
	// Recipients are the .pub files of the keys this role's members hold
	// (keys.research for researchers, keys.quarantine for security officers).
	Recipients []string `yaml:"recipients"`
	// Groups are consumer group ids the role's members may consume with
	// (Read on the group); the worker's group is kafka.group_id. Default none:
	// `worker decrypt` and `worker audit` read without a group.
	Groups []string `yaml:"groups"`
}

// Roles is the `roles:` section: one Role per duty. A role without
// principals gets no ACL; the section is off while no role has one.
type Roles struct {
	// Worker reads the input and writes every output under its transactional id.
	Worker Role `yaml:"worker"`
	// Researcher reads the research and stats topics, sealed to keys.research.
	Researcher Role `yaml:"researcher"`
	// Auditor reads the audit topic (plain JSON, never PHI).
	Auditor Role `yaml:"auditor"`
	// SecurityOfficer reads the quarantine topic (raw records sealed to
	// keys.quarantine) and, with break-glass on, runs its steps: reads the
	// escrow topic and appends to the audit topic.
	SecurityOfficer Role `yaml:"security_officer"`
	// Steward reads the DP budget ledger and describes the configs of every topic.
	Steward Role `yaml:"steward"`
}

// Role names, as in the config and in `worker acl plan`.
const (
	RoleWorker          = "worker"
	RoleResearcher      = "researcher"
	RoleAuditor         = "auditor"
	RoleSecurityOfficer = "security_officer"
	RoleSteward         = "steward"
)

// named lists the roles in the order plans print them.
func (r Roles) named() []namedRole {
	return []namedRole{{RoleWorker, r.Worker}, {RoleResearcher, r.Researcher}, {RoleAuditor, r.Auditor},
		{RoleSecurityOfficer, r.SecurityOfficer}, {RoleSteward, r.Steward}}
}

type namedRole struct {
	name string
	Role
}

// Enabled reports whether any role names a principal.
func (r Roles) Enabled() bool {
	for _, nr := range r.named() {
		if len(nr.Principals) > 0 {
			return true
		}
	}
	return false
}

// Groups lists every role's consumer groups.
func (r Roles) Groups() []string {
	var out []string
	for _, nr := range r.named() {
		out = append(out, nr.Groups...)
	}
	return out
}

// Resources are the names the roles are granted on, taken from the config.
type Resources struct {
	Input                                                    []string
	Research, Stats, Audit, Quarantine, Budget, Placeholders string
	// Carry is the carry-over state topic (the worker's own state); "" without privacy.carry.
	Carry string
	// Group is the worker's consumer group (kafka.group_id).
	Group string
	// Groups are the roles' own consumer groups (Role.Groups of every role).
	Groups []string
	// TransactionalIDPrefix is kafka.transactional_id_prefix: every worker's
	// transactional id starts with it, so the worker role is granted it as a prefix.
	TransactionalIDPrefix string
	// CreateTopics is topics.create: the worker creates its missing output topics.
	CreateTopics bool
	// Escrow is breakglass.topic when break-glass is on, else "": the worker
	// writes it, security officers read it and record each break-glass step
	// on the audit topic under BreakGlassTransactionalID.
	Escrow                    string
	BreakGlassTransactionalID string
	// ResearchKeys and QuarantineKeys are keys.research and keys.quarantine,
	// compared with the roles' recipients by path.
	ResearchKeys, QuarantineKeys []string
}

// Validate checks the shape of the section: principals well formed, the
// worker named when any role is.
func (r Roles) Validate() error {
	bad := func(key, why string) error { return fmt.Errorf("roles.%s: %s: %w", key, why, ErrInvalid) }
	if !r.Enabled() {
		return nil
	}
	if len(r.Worker.Principals) == 0 {
		return bad("worker.principals", "the worker's principal is required once any role names one: without it the worker would be locked out")
	}
	for _, nr := range r.named() {
		for i, p := range nr.Principals {
			typ, name, ok := strings.Cut(p, ":")
			switch {
			case !ok || typ == "" || name == "":
				return bad(fmt.Sprintf("%s.principals[%d]", nr.name, i), fmt.Sprintf("%q is not TYPE:NAME, e.g. User:alice", p))
			case name == "*":
				return bad(fmt.Sprintf("%s.principals[%d]", nr.name, i), "the wildcard principal would grant the role to everyone")
			}
		}
		for i, g := range nr.Groups {
			if g == "" || g == "*" {
				return bad(fmt.Sprintf("%s.groups[%d]", nr.name, i), "must name one consumer group")
			}
		}
	}
	if len(r.Worker.Recipients) > 0 {
		return bad("worker.recipients", "the worker only seals, to public keys: it must hold no private key")
	}
	return nil
}
