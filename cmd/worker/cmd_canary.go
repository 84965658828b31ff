package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/deidstream/deidstream/redact"
)

func init() {
	register(command{name: "canary", summary: "print the keyed hash of each canary identifier read from stdin, for monitor.canaries", run: runCanary})
}

// runCanary hashes canary identifiers with the redaction secret: the config
// then names them by hash only, never in clear.
func runCanary(_ context.Context, s stdio, args []string) int {
	fs := newFlags(s, "canary", "-c config.yaml < canaries.txt",
		"Reads one canary identifier per line (1 to 4 words: a fake name, MRN, phone) and prints, per line, its keyed\n"+
			"hash under the config's redaction secret (or $"+secretEnv+"), for the config's monitor.canaries. Plant the\n"+
			"identifiers in input records; the residual-PHI monitor counts one seen in a released row as a breach.")
	var cfgPath string
	fs.configFlag(&cfgPath, "", "config `file` whose redaction.secret keys the hashes (the worker's own)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	rcfg := redact.DefaultConfig()
	if cfgPath != "" {
		var err error
		if rcfg, err = loadRedactionConfig(cfgPath); err != nil {
			fmt.Fprintf(s.Stderr, "worker canary: %v\n", err)
			return 2
		}
	}
	if rcfg.Secret == "" {
		rcfg.Secret = os.Getenv(secretEnv)
	}
	if rcfg.Secret == "" {
		return fs.usageError("no secret: give the worker's config with -c (its redaction.secret), or set $%s", secretEnv)
	}
	h, err := redact.NewCanaryHasher(rcfg)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker canary: %v\n", err)
		return 2
	}
	sc := bufio.NewScanner(s.Stdin)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		sum, err := h.Hash(sc.Text())
		if err != nil {
			fmt.Fprintf(s.Stderr, "worker canary: line %d: %v\n", line, err) // never the identifier
			return 1
		}
		fmt.Fprintln(s.Stdout, sum)
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(s.Stderr, "worker canary: reading stdin: %v\n", err)
		return 1
	}
	return 0
}
