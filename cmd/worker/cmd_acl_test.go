package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestACLPlan(t *testing.T) {
	dir := t.TempDir()
	write := func(roles string) string {
		p := filepath.Join(dir, "c.yaml")
		body := "topics:\n  input: [raw.records]\nkeys:\n  research: [research.pub]\n  quarantine: [security.pub]\nroles:\n" + roles
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		code := dispatch(context.Background(), stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, args)
		return code, out.String(), errb.String()
	}
	code, out, stderr := run("acl", "plan", "-c", write("  worker: {principals: [User:deid-worker]}\n"+
		"  researcher: {principals: [User:alice], recipients: [research.pub]}\n"))
	if code != 0 {
		t.Fatalf("acl plan exited %d: %s", code, stderr)
	}
	for _, want := range []string{
		"worker      User:deid-worker  ALLOW       READ              TOPIC             LITERAL   raw.records",
		"worker      User:deid-worker  ALLOW       WRITE             TRANSACTIONAL_ID  PREFIXED  deidstream-",
		"researcher  User:alice        ALLOW       READ              TOPIC             LITERAL   deid.research",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan does not hold %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "User:alice        ALLOW       READ              TOPIC             LITERAL   raw.records") {
		t.Errorf("the researcher is granted the raw input:\n%s", out)
	}
	code, _, stderr = run("acl", "plan", "-c", write("  worker: {principals: [User:w]}\n  researcher: {principals: [User:w]}\n"))
	if code != 1 || !strings.Contains(stderr, "User:w is worker, researcher") {
		t.Errorf("worker as researcher: exit %d, stderr %q; want 1 naming the principal and its roles", code, stderr)
	}
	code, _, stderr = run("acl", "plan", "-c", write("  worker: {principals: []}\n"))
	if code != 1 || !strings.Contains(stderr, "nothing to grant") {
		t.Errorf("no principals: exit %d, stderr %q; want 1, nothing to grant", code, stderr)
	}
}
