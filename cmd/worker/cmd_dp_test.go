package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
)

func runDPCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, append([]string{"dp"}, args...))
	return code, out.String(), errb.String()
}

func TestDPSample(t *testing.T) {
	tests := []struct {
		name string
		args []string
		n    int
		max  int64 // every |sample| must stay below (a loose tail bound)
	}{
		{"laplace decimal", []string{"--mechanism", "discrete-laplace", "--scale", "2.5"}, 500, 100},
		{"laplace fraction", []string{"--mechanism", "discrete-laplace", "--scale", "5/2"}, 500, 100},
		{"gaussian", []string{"--mechanism", "discrete-gaussian", "--sigma", "10"}, 500, 100},
		{"gaussian fraction", []string{"--mechanism", "discrete-gaussian", "--sigma", "1/2"}, 500, 10},
		{"none", []string{"--mechanism", "discrete-gaussian", "--sigma", "3"}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"sample", "--n", strconv.Itoa(tc.n), "--seed", "7"}, tc.args...)
			code, out, errs := runDPCmd(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			lines := strings.Fields(out)
			if len(lines) != tc.n {
				t.Fatalf("%d lines, want %d", len(lines), tc.n)
			}
			distinct := map[int64]bool{}
			for _, l := range lines {
				v, err := strconv.ParseInt(l, 10, 64)
				if err != nil {
					t.Fatalf("line %q is not an integer", l)
				}
				if v >= tc.max || -v >= tc.max {
					t.Errorf("sample %d beyond %d", v, tc.max)
				}
				distinct[v] = true
			}
			if tc.n > 0 && len(distinct) < 3 {
				t.Errorf("%d samples took only %d values", tc.n, len(distinct))
			}
			// The same seed reproduces the output; 5/2 and 2.5 are the same scale.
			if _, again, _ := runDPCmd(t, args...); again != out {
				t.Error("same seed, different output")
			}
		})
	}
	_, a, _ := runDPCmd(t, "sample", "--mechanism", "discrete-laplace", "--scale", "2.5", "--n", "50", "--seed", "1")
	_, b, _ := runDPCmd(t, "sample", "--mechanism", "discrete-laplace", "--scale", "5/2", "--n", "50", "--seed", "1")
	if a != b {
		t.Error("--scale 2.5 and --scale 5/2 differ under one seed")
	}
}

func TestDPSampleCrypto(t *testing.T) {
	code, out, errs := runDPCmd(t, "sample", "--mechanism", "discrete-laplace", "--scale", "100", "--n", "20")
	if code != 0 || len(strings.Fields(out)) != 20 {
		t.Fatalf("exit %d, %d lines: %s", code, len(strings.Fields(out)), errs)
	}
}

func TestDPSampleUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout for help, else stderr
	}{
		{"help", []string{"sample", "-h"}, 0, "--sigma"},
		{"dp help", []string{"-h"}, 0, "sample"},
		{"no subcommand", nil, 2, "usage"},
		{"unknown subcommand", []string{"spend"}, 2, "unknown subcommand"},
		{"no mechanism", []string{"sample", "--scale", "1"}, 2, "--mechanism"},
		{"laplace with sigma", []string{"sample", "--mechanism", "discrete-laplace", "--sigma", "1"}, 2, "--scale"},
		{"gaussian without sigma", []string{"sample", "--mechanism", "discrete-gaussian"}, 2, "--sigma"},
		{"zero scale", []string{"sample", "--mechanism", "discrete-laplace", "--scale", "0"}, 2, "positive"},
		{"float exponent", []string{"sample", "--mechanism", "discrete-laplace", "--scale", "1e3"}, 2, "fraction"},
		{"negative n", []string{"sample", "--mechanism", "discrete-laplace", "--scale", "1", "--n", "-1"}, 2, "--n"},
		{"bad seed", []string{"sample", "--mechanism", "discrete-laplace", "--scale", "1", "--seed", "x"}, 2, "--seed"},
		{"extra args", []string{"sample", "--mechanism", "discrete-laplace", "--scale", "1", "more"}, 2, "unexpected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runDPCmd(t, tc.args...)
			if tc.code == 0 { // -h: the usage is the output
				out, errs = errs, out
			}
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, usage %q; want exit %d mentioning %q", code, errs, tc.code, tc.want)
			}
			if out != "" {
				t.Errorf("%q besides the usage", out)
			}
		})
	}
}
