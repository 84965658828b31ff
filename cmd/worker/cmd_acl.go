package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/access"
	"github.com/deidstream/deidstream/internal/config"
)

func init() {
	register(command{name: "acl", summary: "Kafka ACLs of the config's roles: plan, apply", run: runACL})
}

func runACL(ctx context.Context, s stdio, args []string) int {
	return runGroup(s, "acl", "Least privilege on Kafka: the roles section of the config (worker, researcher, auditor,\n"+
		"security_officer, steward) implies one set of ALLOW ACLs; plan prints it, apply makes the broker hold exactly it\n"+
		"on the config's topics, group and transactional ids.", []subcommand{
		{"plan", "print the ACLs the roles imply (no Kafka needed)", runACLPlan},
		{"apply", "create the planned ACLs and delete the others on our resources (--dry-run prints only)",
			func(s stdio, a []string) int { return runACLApply(ctx, s, a) }},
	}, args)
}

// loadRoles reads the sections the roles need and checks them, separation of duties included.
func loadRoles(path string) (*config.Config, error) {
	cfg, err := config.LoadSections(path, "kafka", "topics", "keys", "roles", "breakglass")
	if err != nil {
		return nil, err
	}
	if len(cfg.Topics.Input) == 0 {
		return nil, fmt.Errorf("%s: topics.input: at least one input topic is required: %w", path, config.ErrInvalid)
	}
	if err := cfg.ValidateRoles(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !cfg.Roles.Enabled() {
		return nil, fmt.Errorf("%s: roles: no role names a principal, so there is nothing to grant: %w", path, config.ErrInvalid)
	}
	return cfg, nil
}

func runACLPlan(s stdio, args []string) int {
	fs := newFlags(s, "acl plan", "-c config.yaml",
		"Prints one line per ACL binding the roles imply: role, principal, ALLOW, operation, resource type,\n"+
			"pattern (LITERAL, or PREFIXED for the transactional ids), name, host (*). Exit 1 if the roles are\n"+
			"invalid or break a separation of duties.")
	var cfgPath string
	fs.configFlag(&cfgPath, "config.yaml", "config `file` whose roles, topics, kafka.group_id and kafka.transactional_id_prefix are used")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	cfg, err := loadRoles(cfgPath)
	if err != nil {
		fmt.Fprintln(s.Stderr, "worker acl plan:", err)
		return 1
	}
	if err := access.Write(s.Stdout, access.Plan(cfg.Roles, cfg.AccessResources())); err != nil {
		fmt.Fprintln(s.Stderr, "worker acl plan: writing the plan:", err)
		return 1
	}
	return 0
}

func runACLApply(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "acl apply", "-c config.yaml [--admin-config admin.yaml] [--dry-run]",
		"Reads the ACLs the broker holds on the config's topics, group and transactional ids, creates the planned\n"+
			"ones it lacks, then deletes ALLOW bindings on those resources that the plan does not grant. Bindings\n"+
			"that reach them through a wildcard or a prefix shared with other resources are listed, never deleted,\n"+
			"and make the exit status 1: least privilege does not hold until a person removes them. DENY bindings\n"+
			"are left alone. The connection needs a principal allowed to alter ACLs (a super user).")
	var cfgPath string
	fs.configFlag(&cfgPath, "config.yaml", "config `file` with the roles")
	adminPath := fs.String("admin-config", "", "config `file` whose kafka: section connects as the ACL administrator (default: the -c file's)")
	dryRun := fs.Bool("dry-run", false, "print the changes, change nothing")
	timeout := fs.Duration("timeout", time.Minute, "bound on talking to the broker (a `duration`)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(s.Stderr, "worker acl apply:", err)
		return 1
	}
	cfg, err := loadRoles(cfgPath)
	if err != nil {
		return fail(err)
	}
	conn := cfg.Kafka
	if *adminPath != "" {
		admin, err := config.LoadSections(*adminPath, "kafka")
		if err != nil {
			return fail(err)
		}
		conn = admin.Kafka
	}
	if err := conn.Validate(); err != nil {
		return fail(err)
	}
	opts, err := conn.Opts()
	if err != nil {
		return fail(err)
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fail(fmt.Errorf("connecting to kafka: %w", err))
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	adm := kadm.NewClient(cl)
	res := cfg.AccessResources()
	existing, err := access.Existing(ctx, adm, res)
	if err != nil {
		return fail(err)
	}
	ch := access.Diff(access.Plan(cfg.Roles, res), existing, res)
	verb := "applied"
	if *dryRun {
		verb = "dry run, nothing changed"
	}
	for _, part := range []struct {
		title string
		acls  []access.ACL
	}{{"create", ch.Create}, {"delete", ch.Delete}, {"broader grants reaching our resources (not deleted)", ch.Broader}} {
		if len(part.acls) == 0 {
			continue
		}
		fmt.Fprintf(s.Stdout, "%s (%d):\n", part.title, len(part.acls))
		if err := access.Write(s.Stdout, part.acls); err != nil {
			return fail(err)
		}
	}
	fmt.Fprintf(s.Stdout, "%d to create, %d to delete, %d already held, %d broader (%s)\n",
		len(ch.Create), len(ch.Delete), ch.Kept, len(ch.Broader), verb)
	if !*dryRun {
		if err := access.Apply(ctx, adm, ch); err != nil {
			return fail(err)
		}
	}
	if len(ch.Broader) > 0 {
		return fail(errors.New("wildcard or prefixed grants above reach the config's topics, group or transactional ids " +
			"beyond the roles: least privilege does not hold until they are removed or narrowed (kafka-acls --remove)"))
	}
	return 0
}
