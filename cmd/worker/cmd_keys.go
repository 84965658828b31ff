package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/deidstream/deidstream/envelope"
)

func init() {
	register(command{name: "keys", summary: "manage envelope recipient keys (keys gen)", run: runKeys})
}

func runKeys(ctx context.Context, s stdio, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(s.Stderr, "usage: worker keys gen --out DIR --name NAME")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "gen":
		return runKeysGen(ctx, s, args[1:])
	default:
		fmt.Fprintf(s.Stderr, "worker keys: unknown subcommand %q (want gen)\n", args[0])
		return 2
	}
}

func runKeysGen(_ context.Context, s stdio, args []string) int {
	fl := flag.NewFlagSet("keys gen", flag.ContinueOnError)
	fl.SetOutput(s.Stderr)
	out := fl.String("out", "", "directory to write NAME.key and NAME.pub into (required)")
	name := fl.String("name", "", "key name: letters, digits, '.', '_', '-' (required)")
	fl.Usage = func() {
		fmt.Fprintln(s.Stderr, "usage: worker keys gen --out DIR --name NAME")
		fmt.Fprintln(s.Stderr, "Writes DIR/NAME.key (private, mode 0600) and DIR/NAME.pub (public, with its key id).")
		fmt.Fprintln(s.Stderr, "Refuses to overwrite either file.\n\nflags:")
		fmt.Fprintln(s.Stderr, "  --out DIR    directory for the key files (required, no default)")
		fmt.Fprintln(s.Stderr, "  --name NAME  key name, 1-64 of [A-Za-z0-9._-] (required, no default)")
	}
	if err := fl.Parse(args); err != nil {
		return flagExit(err)
	}
	if *out == "" || *name == "" || fl.NArg() != 0 {
		fl.Usage()
		return 2
	}
	pubPath, keyPath, id, err := generateKeyFiles(*out, *name)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker keys gen: %v\n", err)
		return 1
	}
	fmt.Fprintf(s.Stdout, "key id %s\nprivate %s\npublic  %s\n", id, keyPath, pubPath)
	return 0
}

// generateKeyFiles writes both files or neither.
func generateKeyFiles(dir, name string) (pubPath, keyPath, id string, err error) {
	k, err := envelope.GenerateKey(nil)
	if err != nil {
		return "", "", "", err
	}
	if err := k.SetName(name); err != nil {
		return "", "", "", fmt.Errorf("naming key: %w", err)
	}
	keyText, err := k.MarshalText()
	if err != nil {
		return "", "", "", fmt.Errorf("encoding private key: %w", err)
	}
	pubText, err := k.Public().MarshalText()
	if err != nil {
		return "", "", "", fmt.Errorf("encoding public key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", "", fmt.Errorf("creating key directory: %w", err)
	}
	keyPath = filepath.Join(dir, name+".key")
	pubPath = filepath.Join(dir, name+".pub")
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", "", fmt.Errorf("writing key files: %s already exists; refusing to overwrite: %w", p, fs.ErrExist)
		}
	}
	if err := writeFileExclusive(keyPath, keyText, 0o600); err != nil {
		return "", "", "", fmt.Errorf("writing private key: %w", err)
	}
	if err := writeFileExclusive(pubPath, pubText, 0o644); err != nil {
		os.Remove(keyPath)
		return "", "", "", fmt.Errorf("writing public key: %w", err)
	}
	return pubPath, keyPath, k.KeyID(), nil
}

// writeFileExclusive creates path (failing if it exists), writes b and syncs it.
func writeFileExclusive(path string, b []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil { // umask must not widen or narrow it
		f.Close()
		os.Remove(path)
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
