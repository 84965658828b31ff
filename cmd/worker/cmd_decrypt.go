package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/deidstream/deidstream/arrowconv"
	"github.com/deidstream/deidstream/config"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/kafkaconn"
)

func init() {
	register(command{name: "decrypt", summary: "open sealed batches or files with a private key", run: runDecrypt})
}

// formatRaw writes the plaintext unchanged without checking it is Arrow (files from `worker seal`).
const formatRaw = "raw"

// sealedInput hands each sealed object to fn, in order. --in is one source;
// a Kafka topic reader is another implementation of the same shape.
type sealedInput func(ctx context.Context, fn func(sealed []byte) error) error

func sealedFileInput(path string) sealedInput {
	return func(_ context.Context, fn func([]byte) error) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading sealed input: %w", err)
		}
		return fn(b)
	}
}

type decryptFlags struct {
	key, in, out, format string
	topic, cfgPath       string
}

// sealedTopicInput reads a topic read_committed from its start to its end at
// the time of reading, and hands over each record's value.
func sealedTopicInput(cfgPath, topic string) sealedInput {
	return func(ctx context.Context, fn func([]byte) error) error {
		kc := kafkaconn.Defaults()
		if cfgPath != "" {
			cfg, err := config.LoadSections(cfgPath, "kafka")
			if err != nil {
				return err
			}
			kc = cfg.Kafka
		}
		conn, err := kc.Opts()
		if err != nil {
			return err
		}
		recs, err := kafkaconn.ReadAll(ctx, conn, topic)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := fn(r.Value); err != nil {
				return fmt.Errorf("%s/%d/%d: %w", r.Topic, r.Partition, r.Offset, err)
			}
		}
		return nil
	}
}

func runDecrypt(ctx context.Context, s stdio, args []string) int {
	fl := flag.NewFlagSet("decrypt", flag.ContinueOnError)
	fl.SetOutput(s.Stderr)
	var f decryptFlags
	fl.StringVar(&f.key, "key", "", "private key file (required)")
	fl.StringVar(&f.in, "in", "", "sealed file to open (this or --topic)")
	fl.StringVar(&f.topic, "topic", "", "research or stats topic whose batches to open, read_committed (this or --in)")
	fl.StringVar(&f.cfgPath, "c", "", "with --topic: worker config whose kafka: section (brokers, TLS, SASL) is used")
	fl.StringVar(&f.out, "out", "", "plaintext output to create, or - for stdout (required)")
	fl.StringVar(&f.format, "format", formatRaw, "output format: raw|arrow|jsonl|csv|parquet")
	fl.Usage = func() {
		fmt.Fprintln(s.Stderr, "usage: worker decrypt --key FILE.key (--in FILE | --topic T [-c config.yaml]) --out FILE [--format raw|arrow|jsonl|csv|parquet]")
		fmt.Fprintln(s.Stderr, "Opens a sealed file, or every batch of a topic (joined into one output). Nothing is written unless every check passes.\n\nflags:")
		fmt.Fprintln(s.Stderr, "  --key FILE.key  private key (required, no default)")
		fmt.Fprintln(s.Stderr, "  --in FILE       sealed input (this or --topic)")
		fmt.Fprintln(s.Stderr, "  --topic T       topic to read read_committed, from its start to its current end (this or --in)")
		fmt.Fprintln(s.Stderr, "  -c FILE         with --topic: config whose kafka: section is used (default: brokers 127.0.0.1:19092)")
		fmt.Fprintln(s.Stderr, "  --out FILE      output, created new; - for stdout (required, no default)")
		fmt.Fprintln(s.Stderr, "  --format F      raw (bytes as sealed), arrow (checked Arrow IPC stream), jsonl, csv,")
		fmt.Fprintln(s.Stderr, "                  parquet (Zstd, one row group per batch) (default raw)")
	}
	if err := fl.Parse(args); err != nil {
		return flagExit(err)
	}
	if f.key == "" || (f.in == "") == (f.topic == "") || f.out == "" || fl.NArg() != 0 {
		fl.Usage()
		return 2
	}
	input := sealedFileInput(f.in)
	if f.topic != "" {
		input = sealedTopicInput(f.cfgPath, f.topic)
	}
	if err := decrypt(ctx, s, f, input); err != nil {
		fmt.Fprintf(s.Stderr, "worker decrypt: %v\n", err)
		return 1
	}
	return 0
}

// decrypt opens every object from input into memory and writes --out only
// after all of them authenticated and converted: plaintext never reaches disk
// on failure, and never in a temp file.
func decrypt(ctx context.Context, s stdio, f decryptFlags, input sealedInput) error {
	if f.format != formatRaw && !validDecryptFormat(f.format) {
		return fmt.Errorf("choosing format: %q is not one of raw, %s: %w", f.format, strings.Join(arrowconv.Formats(), ", "), arrowconv.ErrUnsupportedFormat)
	}
	key, err := envelope.LoadPrivateKey(f.key)
	if err != nil {
		return err
	}
	if st, err := os.Stat(f.key); err == nil && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(s.Stderr, "worker decrypt: warning: %s is readable by group or others (mode %v); it should be 0600\n", f.key, st.Mode().Perm())
	}
	if f.out != "-" {
		if _, err := os.Lstat(f.out); err == nil {
			return fmt.Errorf("writing %s: already exists; refusing to overwrite", f.out)
		}
	}
	var plain bytes.Buffer
	var opened [][]byte // kept to join into one output
	defer func() {
		for _, pt := range opened {
			clear(pt)
		}
	}()
	objects := 0
	err = input(ctx, func(sealed []byte) error {
		pt, prov, err := envelope.Open(sealed, key)
		if err != nil {
			return fmt.Errorf("object %d: %w", objects, err)
		}
		objects++
		fmt.Fprintf(s.Stderr, "opened object %d: kind=%s batch=%q worker=%q ranges=%d plaintext=%d bytes\n",
			objects-1, prov.Kind, prov.BatchID, prov.WorkerID, len(prov.Ranges), len(pt))
		opened = append(opened, pt)
		return nil
	})
	defer clear(plain.Bytes())
	if err != nil {
		return err
	}
	if objects == 0 {
		return errors.New("opening input: no sealed object found")
	}
	if f.format == formatRaw {
		for _, pt := range opened {
			plain.Write(pt)
		}
	} else {
		stream, err := arrowconv.Concat(opened...)
		if err != nil {
			return err
		}
		if err := arrowconv.Convert(&plain, stream, f.format); err != nil {
			return err
		}
	}
	return writeDecrypted(s.Stdout, f.out, plain.Bytes())
}

func validDecryptFormat(f string) bool { return slices.Contains(arrowconv.Formats(), f) }

// writeDecrypted creates out (mode 0600, never overwriting) or writes to stdout.
func writeDecrypted(stdout io.Writer, out string, b []byte) error {
	if out == "-" {
		if _, err := stdout.Write(b); err != nil {
			return fmt.Errorf("writing stdout: %w", err)
		}
		return nil
	}
	if err := writeFileExclusive(out, b, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}
