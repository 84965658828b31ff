package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/deidstream/deidstream/privacy/dp"
)

func init() {
	register(command{name: "dp", summary: "differential privacy tools: sample (draw exact discrete noise)", run: runDP})
}

func runDP(ctx context.Context, s stdio, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(s.Stderr, "usage: worker dp sample [flags]   (worker dp sample -h for its flags)")
		fmt.Fprintln(s.Stderr, "  sample   print N exact discrete Laplace or discrete Gaussian draws, one per line")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] != "sample" {
		fmt.Fprintf(s.Stderr, "worker dp: unknown subcommand %q (want sample)\n", args[0])
		return 2
	}
	return runDPSample(ctx, s, args[1:])
}

// maxDPSamples bounds --n so a typo cannot fill a disk.
const maxDPSamples = 100_000_000

func runDPSample(ctx context.Context, s stdio, args []string) int {
	fs := flag.NewFlagSet("dp sample", flag.ContinueOnError)
	fs.SetOutput(s.Stderr)
	mech := fs.String("mechanism", "", "discrete-laplace or discrete-gaussian")
	scale := fs.String("scale", "", "discrete Laplace scale, exact: 2.5 or 5/2")
	sigma := fs.String("sigma", "", "discrete Gaussian sigma, exact: 2.5 or 5/2")
	n := fs.Int("n", 1, "number of samples")
	seed := fs.String("seed", "", "uint64 seed for a reproducible ChaCha8 stream (default: crypto/rand)")
	fs.Usage = func() {
		fmt.Fprintln(s.Stderr, "usage: worker dp sample --mechanism discrete-laplace --scale B [--n N] [--seed X]")
		fmt.Fprintln(s.Stderr, "       worker dp sample --mechanism discrete-gaussian --sigma S [--n N] [--seed X]")
		fmt.Fprintln(s.Stderr, "prints N integers, one per line, drawn exactly (rational arithmetic, no floating point)")
		fmt.Fprintln(s.Stderr, "flags:")
		fmt.Fprintln(s.Stderr, "  --mechanism string   discrete-laplace or discrete-gaussian (default \"\", required)")
		fmt.Fprintln(s.Stderr, "  --scale string       Laplace scale B > 0 as 2.5 or 5/2 (default \"\", required for discrete-laplace)")
		fmt.Fprintln(s.Stderr, "  --sigma string       Gaussian sigma S > 0 as 2.5 or 5/2 (default \"\", required for discrete-gaussian)")
		fmt.Fprintf(s.Stderr, "  --n int              number of samples, 0 to %d (default 1)\n", maxDPSamples)
		fmt.Fprintln(s.Stderr, "  --seed uint          seed for reproducible output (default \"\" = crypto/rand)")
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(s.Stderr, "worker dp sample: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return fail("unexpected arguments %q", fs.Args())
	}
	var param, other string
	switch *mech {
	case dp.MechanismDiscreteLaplace:
		param, other = *scale, *sigma
		if param == "" || other != "" {
			return fail("discrete-laplace takes --scale (and not --sigma)")
		}
	case dp.MechanismDiscreteGaussian:
		param, other = *sigma, *scale
		if param == "" || other != "" {
			return fail("discrete-gaussian takes --sigma (and not --scale)")
		}
	default:
		return fail("--mechanism must be %s or %s, got %q", dp.MechanismDiscreteLaplace, dp.MechanismDiscreteGaussian, *mech)
	}
	if *n < 0 || *n > maxDPSamples {
		return fail("--n must be between 0 and %d, got %d", maxDPSamples, *n)
	}
	r, err := dp.ParseRational(param)
	if err != nil {
		return fail("%v", err)
	}
	sampler, err := dp.NewSampler(*mech, r)
	if err != nil {
		return fail("%v", err)
	}
	src := dp.CryptoSource()
	if *seed != "" {
		v, err := strconv.ParseUint(*seed, 10, 64)
		if err != nil {
			return fail("--seed must be an unsigned 64-bit integer: %v", err)
		}
		src = dp.SeededSource(v)
	}
	if err := writeSamples(ctx, s.Stdout, sampler, src, *n); err != nil {
		fmt.Fprintf(s.Stderr, "worker dp sample: %v\n", err)
		return 1
	}
	return 0
}

func writeSamples(ctx context.Context, w io.Writer, sampler dp.Sampler, src dp.Source, n int) error {
	bw := bufio.NewWriter(w)
	var line []byte
	for i := range n {
		if i%4096 == 0 && ctx.Err() != nil {
			return fmt.Errorf("sampling: %w", ctx.Err())
		}
		v, err := sampler.SampleBig(src)
		if err != nil {
			return fmt.Errorf("sampling: %w", err)
		}
		line = v.Append(line[:0], 10)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("writing samples: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing samples: %w", err)
	}
	return nil
}
