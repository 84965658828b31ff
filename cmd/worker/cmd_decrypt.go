package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/arrowconv"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
)

func init() {
	register(command{name: "decrypt", summary: "open sealed batches or files with a private key", run: runDecrypt})
}

// formatRaw writes the plaintext unchanged without checking it is Arrow (files from `worker seal`).
const formatRaw = "raw"

// sealedObject is one sealed value and what its Kafka record said of it in
// headers (nothing for a file): a quarantined record's reason and part.
type sealedObject struct {
	sealed       []byte
	reason, part string
}

// sealedInput hands each sealed object to fn, in order. --in is one source;
// a Kafka topic reader is another implementation of the same shape.
type sealedInput func(ctx context.Context, fn func(sealedObject) error) error

func sealedFileInput(path string) sealedInput {
	return func(_ context.Context, fn func(sealedObject) error) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading sealed input: %w", err)
		}
		return fn(sealedObject{sealed: b})
	}
}

type decryptFlags struct {
	key, in, out, format string
	topic, cfgPath       string
}

// sealedTopicInput reads a topic read_committed from its start to its end at
// the time of reading, and hands over each record's value.
func sealedTopicInput(cfgPath, topic string) sealedInput {
	return func(ctx context.Context, fn func(sealedObject) error) error {
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
			obj := sealedObject{sealed: r.Value, reason: header(r, deid.HeaderReason), part: header(r, deid.HeaderPart)}
			if err := fn(obj); err != nil {
				return fmt.Errorf("%s/%d/%d: %w", r.Topic, r.Partition, r.Offset, err)
			}
		}
		return nil
	}
}

func runDecrypt(ctx context.Context, s stdio, args []string) int {
	fl := newFlags(s, "decrypt", "--key FILE.key (--in FILE | --topic T [-c config.yaml]) --out FILE [--format F]",
		"Opens a sealed file, or every sealed record of a topic read_committed from its start to its current end,\n"+
			"and writes the plaintext. Nothing is written unless every object authenticates.\n"+
			"Research and stats batches join into one table: --format raw, arrow, jsonl, csv or parquet.\n"+
			"Quarantined records (deid.quarantine, sealed to keys.quarantine) are raw input, one per line in jsonl:\n"+
			"  {\"source\":\"topic/partition/offset\",\"reason\":\"field_invalid:state\",\"record\":\"...\"}\n"+
			"(\"record_base64\" instead when the record is not UTF-8; reason from the record's header); in raw, each\n"+
			"record follows a line \"# quarantine SOURCE REASON BYTES\" and ends with a newline.")
	var f decryptFlags
	fl.StringVar(&f.key, "key", "", "private key `file` (.key from worker keys gen; required)")
	fl.StringVar(&f.in, "in", "", "sealed `file` to open (this or --topic)")
	fl.StringVar(&f.topic, "topic", "", "`topic` whose sealed records to open (research, stats or quarantine; this or --in)")
	fl.configFlag(&f.cfgPath, "", "with --topic: worker config `file` whose kafka: section (brokers, TLS, SASL) is used (default: brokers 127.0.0.1:19092)")
	fl.StringVar(&f.out, "out", "", "plaintext `file` to create, or - for stdout (required)")
	fl.StringVar(&f.format, "format", formatRaw, "output `format`: raw (bytes as sealed), arrow (checked Arrow IPC stream), jsonl, csv, parquet (Zstd, one row group per batch)")
	if code, ok := fl.parse(args); !ok {
		return code
	}
	if f.key == "" || (f.in == "") == (f.topic == "") || f.out == "" {
		return fl.usageError("--key, --out and one of --in or --topic are required")
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
	if err := app.CheckPrivateKeyFile(f.key); err != nil {
		return fmt.Errorf("loading private key: %w", err)
	}
	key, err := envelope.LoadPrivateKey(f.key)
	if err != nil {
		return err
	}
	if f.out != "-" {
		if _, err := os.Lstat(f.out); err == nil {
			return fmt.Errorf("writing %s: already exists; refusing to overwrite", f.out)
		}
	}
	var plain bytes.Buffer
	var opened [][]byte // kept to join into one output
	var quarantined []quarantinedPart
	defer func() {
		for _, pt := range opened {
			clear(pt)
		}
	}()
	objects := 0
	err = input(ctx, func(obj sealedObject) error {
		pt, prov, err := envelope.Open(obj.sealed, key)
		if err != nil {
			return fmt.Errorf("object %d: %w", objects, err)
		}
		objects++
		// Counts and codes only: the plaintext may be raw PHI.
		fmt.Fprintf(s.Stderr, "opened object %d: kind=%s batch=%q worker=%q ranges=%d plaintext=%d bytes\n",
			objects-1, prov.Kind, prov.BatchID, prov.WorkerID, len(prov.Ranges), len(pt))
		opened = append(opened, pt)
		if prov.Kind == envelope.KindQuarantine {
			quarantined = append(quarantined, quarantinedPart{prov: prov, reason: obj.reason, part: obj.part, plain: pt})
		}
		return nil
	})
	defer clear(plain.Bytes())
	if err != nil {
		return err
	}
	if objects == 0 {
		return errors.New("opening input: no sealed object found")
	}
	switch {
	case len(quarantined) > 0:
		if len(quarantined) != objects {
			return fmt.Errorf("opening input: %d of %d objects are quarantined records, the others batches: decrypt them apart", len(quarantined), objects)
		}
		if err := writeQuarantine(&plain, quarantined, f.format); err != nil {
			return err
		}
	case f.format == formatRaw:
		for _, pt := range opened {
			plain.Write(pt)
		}
	default:
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
