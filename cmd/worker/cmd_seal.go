package main

import (
	"context"
	"flag"
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
	fl := flag.NewFlagSet("seal", flag.ContinueOnError)
	fl.SetOutput(s.Stderr)
	var recipients recipientFlags
	fl.Var(&recipients, "recipient", "recipient public key file (repeat for several)")
	in := fl.String("in", "", "file to seal (required)")
	out := fl.String("out", "", "sealed file to create; must not exist (required)")
	fl.Usage = func() {
		fmt.Fprintln(s.Stderr, "usage: worker seal --recipient FILE.pub [--recipient FILE.pub ...] --in FILE --out FILE")
		fmt.Fprintln(s.Stderr, "\nflags:")
		fmt.Fprintln(s.Stderr, "  --recipient FILE.pub  public key to seal to; repeatable (at least one, no default)")
		fmt.Fprintln(s.Stderr, "  --in FILE             file to seal (required, no default)")
		fmt.Fprintln(s.Stderr, "  --out FILE            sealed output, created new (required, no default)")
	}
	if err := fl.Parse(args); err != nil {
		return flagExit(err)
	}
	if len(recipients) == 0 || *in == "" || *out == "" || fl.NArg() != 0 {
		fl.Usage()
		return 2
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
