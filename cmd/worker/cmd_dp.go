package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/deidstream/deidstream/privacy/dp"
)

func init() {
	register(command{name: "dp", summary: "differential privacy tools: sample (draw exact discrete noise)", run: runDP})
}

func runDP(ctx context.Context, s stdio, args []string) int {
	return runGroup(s, "dp", "Differential privacy tools.", []subcommand{
		{"sample", "print N exact discrete Laplace or discrete Gaussian draws, one per line",
			func(s stdio, args []string) int { return runDPSample(ctx, s, args) }},
	}, args)
}

// maxDPSamples bounds --n so a typo cannot fill a disk.
const maxDPSamples = 100_000_000

func runDPSample(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "dp sample", "--mechanism discrete-laplace --scale B [--n N] [--seed X]\n"+
		"       worker dp sample --mechanism discrete-gaussian --sigma S [--n N] [--seed X]",
		"Prints N integers, one per line, drawn exactly (rational arithmetic, no floating point).")
	mech := fs.String("mechanism", "", "`name`: discrete-laplace or discrete-gaussian (required)")
	scale := fs.String("scale", "", "discrete Laplace `scale` B > 0, exact: 2.5 or 5/2 (required for discrete-laplace)")
	sigma := fs.String("sigma", "", "discrete Gaussian `sigma` S > 0, exact: 2.5 or 5/2 (required for discrete-gaussian)")
	n := fs.Int("n", 1, fmt.Sprintf("`number` of samples, 0 to %d", maxDPSamples))
	seed := fs.String("seed", "", "uint64 `seed` for a reproducible ChaCha8 stream (default: crypto/rand)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(s.Stderr, "worker dp sample: "+format+"\n", a...)
		return 2
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
