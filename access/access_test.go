package access

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func testResources() Resources {
	return Resources{Input: []string{"raw.a", "raw.b"}, Research: "deid.research", Stats: "deid.stats", Audit: "deid.audit",
		Quarantine: "deid.quarantine", Budget: "deid.budget", Placeholders: "deid.placeholders", Group: "deidstream",
		TransactionalIDPrefix: "deidstream-", CreateTopics: true,
		ResearchKeys: []string{"/k/research.pub"}, QuarantineKeys: []string{"/k/security.pub"}}
}

func testRoles() Roles {
	return Roles{
		Worker:          Role{Principals: []string{"User:worker"}},
		Researcher:      Role{Principals: []string{"User:alice", "User:bob"}, Recipients: []string{"/k/research.pub"}, Groups: []string{"notebooks"}},
		Auditor:         Role{Principals: []string{"User:carol"}},
		SecurityOfficer: Role{Principals: []string{"User:dave"}, Recipients: []string{"/k/security.pub"}},
		Steward:         Role{Principals: []string{"User:erin"}},
	}
}

// grants collects, per principal, "OPERATION resource:name" for every binding.
func grants(acls []ACL) map[string][]string {
	out := map[string][]string{}
	for _, a := range acls {
		out[a.Principal] = append(out[a.Principal], a.Operation.String()+" "+a.Resource.String()+":"+a.Name)
	}
	return out
}

func TestPlanLeastPrivilege(t *testing.T) {
	res := testResources()
	plan := Plan(testRoles(), res)
	g := grants(plan)
	has := func(p, grant string) bool { return slices.Contains(g[p], grant) }

	// Nobody but the worker reads the raw input.
	for _, a := range plan {
		if slices.Contains(res.Input, a.Name) && a.Operation != kmsg.ACLOperationDescribeConfigs && a.Principal != "User:worker" {
			t.Errorf("%s: only the worker may touch the raw input (the steward may describe its configs)", a)
		}
		if a.Permission != kmsg.ACLPermissionTypeAllow || a.Host != "*" {
			t.Errorf("%s: plans grant ALLOW from any host only", a)
		}
	}
	for _, tc := range []struct {
		principal, grant string
		want             bool
	}{
		{"User:worker", "READ TOPIC:raw.a", true},
		{"User:worker", "READ TOPIC:raw.b", true},
		{"User:worker", "WRITE TOPIC:deid.research", true},
		{"User:worker", "READ TOPIC:deid.research", false},
		{"User:worker", "READ TOPIC:deid.quarantine", false},
		{"User:worker", "WRITE TOPIC:raw.a", false},
		{"User:worker", "CREATE TOPIC:raw.a", false},
		{"User:worker", "CREATE TOPIC:deid.audit", true},
		{"User:worker", "READ TOPIC:deid.audit", true},
		{"User:worker", "READ GROUP:deidstream", true},
		{"User:worker", "WRITE TRANSACTIONAL_ID:deidstream-", true},
		{"User:alice", "READ TOPIC:deid.research", true},
		{"User:bob", "READ TOPIC:deid.stats", true},
		{"User:alice", "READ GROUP:notebooks", true},
		{"User:alice", "READ TOPIC:deid.quarantine", false},
		{"User:alice", "READ TOPIC:deid.audit", false},
		{"User:alice", "WRITE TOPIC:deid.research", false},
		{"User:carol", "READ TOPIC:deid.audit", true},
		{"User:carol", "READ TOPIC:deid.research", false},
		{"User:dave", "READ TOPIC:deid.quarantine", true},
		{"User:dave", "READ TOPIC:deid.research", false},
		{"User:erin", "READ TOPIC:deid.budget", true},
		{"User:erin", "DESCRIBE_CONFIGS TOPIC:raw.a", true},
		{"User:erin", "READ TOPIC:raw.a", false},
	} {
		if got := has(tc.principal, tc.grant); got != tc.want {
			t.Errorf("%s %s: granted %v, want %v", tc.principal, tc.grant, got, tc.want)
		}
	}
	for _, a := range plan {
		if a.Resource == kmsg.ACLResourceTypeTransactionalId && a.Pattern != kmsg.ACLResourcePatternTypePrefixed {
			t.Errorf("%s: the transactional id is granted as the prefix of every worker's id", a)
		}
	}
	res.CreateTopics = false
	if slices.ContainsFunc(Plan(testRoles(), res), func(a ACL) bool { return a.Operation == kmsg.ACLOperationCreate }) {
		t.Error("topics.create off: the worker must not be granted Create")
	}
	if p := Plan(Roles{}, res); len(p) != 0 {
		t.Errorf("no roles: planned %d ACLs, want none", len(p))
	}
}

func TestPlanBreakGlass(t *testing.T) {
	res := testResources()
	res.Escrow, res.BreakGlassTransactionalID = "deid.escrow", "deidstream-breakglass"
	g := grants(Plan(testRoles(), res))
	for _, tc := range []struct {
		principal, grant string
		want             bool
	}{
		{"User:worker", "WRITE TOPIC:deid.escrow", true},
		{"User:worker", "READ TOPIC:deid.escrow", false},
		{"User:dave", "READ TOPIC:deid.escrow", true},
		{"User:dave", "WRITE TOPIC:deid.audit", true},
		{"User:dave", "WRITE TRANSACTIONAL_ID:deidstream-breakglass", true},
		{"User:dave", "WRITE TRANSACTIONAL_ID:deidstream-", false},
		{"User:alice", "READ TOPIC:deid.escrow", false},
		{"User:carol", "READ TOPIC:deid.escrow", false},
	} {
		if got := slices.Contains(g[tc.principal], tc.grant); got != tc.want {
			t.Errorf("%s %s: granted %v, want %v", tc.principal, tc.grant, got, tc.want)
		}
	}
	if slices.Contains(grants(Plan(testRoles(), testResources()))["User:dave"], "WRITE TOPIC:deid.audit") {
		t.Error("break-glass off: the security officer must not write the audit topic")
	}
}

func TestPlanSortedUnique(t *testing.T) {
	r := testRoles()
	r.Researcher.Principals = append(r.Researcher.Principals, "User:alice") // listed twice
	plan := Plan(r, testResources())
	seen := map[ACL]bool{}
	for i, a := range plan {
		if seen[a.key()] {
			t.Errorf("%s planned twice", a)
		}
		seen[a.key()] = true
		if i > 0 && compareACL(plan[i-1], a) > 0 {
			t.Errorf("plan not sorted at %d: %s after %s", i, a, plan[i-1])
		}
	}
	var b strings.Builder
	if err := Write(&b, plan); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(b.String(), "\n"); lines != len(plan)+1 {
		t.Errorf("table has %d lines, want a header and %d bindings", lines, len(plan))
	}
}

func TestDiff(t *testing.T) {
	res := testResources()
	plan := Plan(testRoles(), res)
	kept := plan[0].key()
	stray := ACL{Principal: "User:mallory", Host: "*", Resource: kmsg.ACLResourceTypeTopic, Name: "raw.a",
		Pattern: kmsg.ACLResourcePatternTypeLiteral, Operation: kmsg.ACLOperationRead, Permission: kmsg.ACLPermissionTypeAllow}
	strayTxn := ACL{Principal: "User:mallory", Host: "*", Resource: kmsg.ACLResourceTypeTransactionalId, Name: "deidstream-w9",
		Pattern: kmsg.ACLResourcePatternTypeLiteral, Operation: kmsg.ACLOperationWrite, Permission: kmsg.ACLPermissionTypeAllow}
	deny := stray
	deny.Permission = kmsg.ACLPermissionTypeDeny
	wide := stray
	wide.Name, wide.Pattern = "raw.", kmsg.ACLResourcePatternTypePrefixed
	star := stray
	star.Name = "*"
	ch := Diff(plan, []ACL{kept, stray, strayTxn, deny, wide, star}, res)
	if ch.Kept != 1 || len(ch.Create) != len(plan)-1 {
		t.Errorf("kept %d, create %d; want 1 and %d", ch.Kept, len(ch.Create), len(plan)-1)
	}
	if slices.ContainsFunc(ch.Create, func(a ACL) bool { return a.key() == kept }) {
		t.Error("a binding the broker has is created again")
	}
	if len(ch.Delete) != 2 || ch.Delete[0].key() != stray && ch.Delete[1].key() != stray {
		t.Errorf("delete %v, want the stray grants on raw.a and on a transactional id under the prefix", ch.Delete)
	}
	if len(ch.Broader) != 2 {
		t.Errorf("broader %v, want the prefixed and the wildcard grant (never deleted)", ch.Broader)
	}
	for _, a := range append(ch.Delete, ch.Broader...) {
		if a.Permission == kmsg.ACLPermissionTypeDeny {
			t.Errorf("%s: a DENY binding only takes access away and is left alone", a)
		}
	}
	// Applied: nothing left to do.
	if again := Diff(plan, plan, res); len(again.Create)+len(again.Delete)+len(again.Broader) != 0 || again.Kept != len(plan) {
		t.Errorf("diff of a plan with itself: %+v", again)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		edit       func(*Roles)
	}{
		{"ok", "", func(*Roles) {}},
		{"off", "", func(r *Roles) { *r = Roles{} }},
		{"no worker", "roles.worker.principals", func(r *Roles) { r.Worker.Principals = nil }},
		{"not TYPE:NAME", "roles.auditor.principals[0]", func(r *Roles) { r.Auditor.Principals = []string{"carol"} }},
		{"wildcard", "wildcard", func(r *Roles) { r.Researcher.Principals = []string{"User:*"} }},
		{"worker holds a key", "roles.worker.recipients", func(r *Roles) { r.Worker.Recipients = []string{"/k/x.pub"} }},
		{"empty group", "roles.steward.groups[0]", func(r *Roles) { r.Steward.Groups = []string{""} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRoles()
			tc.edit(&r)
			err := r.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrInvalid naming %q", err, tc.want)
			}
		})
	}
}

func TestCheckDuties(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Roles)
		want []string // substrings, one violation each
	}{
		{"least privilege", func(*Roles) {}, nil},
		{"worker is a researcher", func(r *Roles) { r.Researcher.Principals = append(r.Researcher.Principals, "User:worker") },
			[]string{"User:worker is worker, researcher: it may read raw PHI"}},
		{"security officer is a researcher", func(r *Roles) { r.Researcher.Principals = []string{"User:dave"} },
			[]string{"User:dave is researcher, security_officer"}},
		{"security officer holds a research key", func(r *Roles) { r.SecurityOfficer.Recipients = append(r.SecurityOfficer.Recipients, "/k/research.pub") },
			[]string{"roles.security_officer.recipients[1]: /k/research.pub is a research key", "User:dave is security_officer: it may read raw PHI"}},
		{"researcher holds a quarantine key", func(r *Roles) { r.Researcher.Recipients = []string{"/k/security.pub", "/k/research.pub"} },
			[]string{"roles.researcher.recipients[0]: /k/security.pub is a quarantine key", "User:alice is researcher", "User:bob is researcher"}},
		{"worker audits", func(r *Roles) { r.Auditor.Principals = []string{"User:worker"} },
			[]string{"User:worker is worker, auditor: the worker writes the audit log"}},
		{"auditor also researches", func(r *Roles) { r.Auditor.Principals = []string{"User:alice"} }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRoles()
			tc.edit(&r)
			err := CheckDuties(r, testResources())
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected violation: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrDuties) {
				t.Fatalf("error %v, want ErrDuties", err)
			}
			if got := strings.Count(err.Error(), "separation of duties violated"); got != len(tc.want) {
				t.Errorf("%d violations, want %d: %v", got, len(tc.want), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q: %v", w, err)
				}
			}
		})
	}
}
