package main

import (
	"context"
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
	return runGroup(s, "keys", "Envelope recipient keys (X-Wing: ML-KEM-768 + X25519). Research batches and DP statistics are\n"+
		"sealed to keys.research, quarantined records to keys.quarantine; worker decrypt opens them with the .key.", []subcommand{
		{"gen", "make a key pair: DIR/NAME.key (private, 0600) and DIR/NAME.pub", func(s stdio, args []string) int { return runKeysGen(ctx, s, args) }},
	}, args)
}

func runKeysGen(_ context.Context, s stdio, args []string) int {
	fl := newFlags(s, "keys gen", "--out DIR --name NAME",
		"Writes DIR/NAME.key (private, mode 0600) and DIR/NAME.pub (public, with its key id); refuses to\n"+
			"overwrite either. Put NAME.pub in keys.research or keys.quarantine; keep NAME.key with whoever decrypts.")
	out := fl.String("out", "", "`directory` for the key files, created 0700 if missing (required)")
	name := fl.String("name", "", "key `name`: 1-64 of [A-Za-z0-9._-] (required)")
	if code, ok := fl.parse(args); !ok {
		return code
	}
	if *out == "" || *name == "" {
		return fl.usageError("--out and --name are required")
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
