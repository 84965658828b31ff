package access

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// CheckDuties rejects roles that give one principal, or one role, duties
// that must stay apart. It returns every violation, joined, each wrapping
// ErrDuties:
//
//   - raw PHI and research keys: whoever may read the raw input (the worker)
//     or the quarantine (security officers, holders of a quarantine key) must
//     not hold a research key, or they could link research rows back to
//     patients;
//   - writing and auditing the log: the worker's principal must not be an auditor's;
//   - a research key held by anyone but researchers, a quarantine key by
//     anyone but security officers.
func CheckDuties(r Roles, res Resources) error {
	type duties struct {
		roles                    []string
		raw, researchKey, writes bool
		audits                   bool
	}
	by := map[string]*duties{}
	var errs []error
	violate := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrDuties))
	}
	for _, nr := range r.named() {
		research, quarantine := false, false
		for i, k := range nr.Recipients {
			switch {
			case slices.Contains(res.ResearchKeys, k):
				research = true
				if nr.name != RoleResearcher {
					violate("roles.%s.recipients[%d]: %s is a research key (keys.research); only researchers may hold one", nr.name, i, k)
				}
			case slices.Contains(res.QuarantineKeys, k):
				quarantine = true
				if nr.name != RoleSecurityOfficer {
					violate("roles.%s.recipients[%d]: %s is a quarantine key (keys.quarantine); only security officers may hold one", nr.name, i, k)
				}
			}
		}
		for _, p := range nr.Principals {
			d := by[p]
			if d == nil {
				d = &duties{}
				by[p] = d
			}
			d.roles = append(d.roles, nr.name)
			d.raw = d.raw || nr.name == RoleWorker || nr.name == RoleSecurityOfficer || quarantine
			d.researchKey = d.researchKey || nr.name == RoleResearcher || research
			d.writes = d.writes || nr.name == RoleWorker
			d.audits = d.audits || nr.name == RoleAuditor
		}
	}
	principals := make([]string, 0, len(by))
	for p := range by {
		principals = append(principals, p)
	}
	slices.Sort(principals)
	for _, p := range principals {
		d := by[p]
		roles := strings.Join(d.roles, ", ")
		if d.raw && d.researchKey {
			violate("%s is %s: it may read raw PHI (input or quarantine) and holds research keys, so it could re-identify research rows", p, roles)
		}
		if d.writes && d.audits {
			violate("%s is %s: the worker writes the audit log, so it must not also audit it", p, roles)
		}
	}
	return errors.Join(errs...)
}
