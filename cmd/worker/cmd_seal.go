package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/deidstream/deidstream/envelope"
)

func init() {
	register(command{name: "seal", summary: "encrypt a file to envelope recipients", run: runSeal})
}

// recipientFlags is the repeatable --recipient flag.
type recipientFlags []string

func (l *recipientFlags) String() string     { return strings.Join(*l, ",") }
func (l *recipientFlags) Set(v string) error { *l = append(*l, v); return nil }

func runSeal(_ context.Context, s stdio, args []string) int {
	fl := newFlags(s, "seal", "--recipient FILE.pub [--recipient FILE.pub ...] --in FILE --out FILE",
		"Encrypts a file to one or more envelope recipients (X-Wing HPKE + AES-256-GCM); any one of their private\n"+
			"keys opens it with worker decrypt. The output is created new and never overwritten.")
	var recipients recipientFlags
	fl.Var(&recipients, "recipient", "recipient public key `file` (.pub); repeat for several (at least one)")
	in := fl.String("in", "", "`file` to seal (required)")
	out := fl.String("out", "", "sealed `file` to create; must not exist (required)")
	if code, ok := fl.parse(args); !ok {
		return code
	}
	if len(recipients) == 0 || *in == "" || *out == "" {
		return fl.usageError("--recipient, --in and --out are required")
	}
	if err := sealFile(*in, *out, recipients); err != nil {
		fmt.Fprintf(s.Stderr, "worker seal: %v\n", err)
		return 1
	}
	return 0
}

// sealFile streams in through the envelope into a temp file beside out (it
// holds ciphertext only) and renames it into place once complete.
func sealFile(in, out string, recipientFiles []string) error {
	recips, err := envelope.LoadPublicKeys(recipientFiles...)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("writing %s: already exists; refusing to overwrite", out)
	}
	src, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".sealing-*")
	if err != nil {
		return fmt.Errorf("creating output: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	w, err := envelope.NewWriter(tmp, envelope.Provenance{Kind: envelope.KindFile}, recips)
	if err != nil {
		tmp.Close()
		return err
	}
	if _, err := io.Copy(w, src); err != nil {
		tmp.Close()
		return fmt.Errorf("sealing %s: %w", in, err)
	}
	if err := w.Close(); err != nil {
		tmp.Close()
		return fmt.Errorf("sealing %s: %w", in, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing output: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if err := os.Link(tmp.Name(), out); err != nil { // link, unlike rename, fails if out appeared meanwhile
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}
