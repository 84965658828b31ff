// Command worker is deidstream's single binary: the streaming worker and its tools.
//
// Each subcommand lives in its own file (cmd_<name>.go) and registers itself in
// init with register, so adding a command never edits this file.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// stdio is what a command reads and writes; tests pass buffers.
type stdio struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// command is one subcommand. run returns the process exit status.
type command struct {
	name    string
	summary string // one line for `worker --help`
	run     func(ctx context.Context, io stdio, args []string) int
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("worker: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, stdio{os.Stdin, os.Stdout, os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, s stdio, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(s.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(s.Stderr, "worker: unknown command %q\n\n", args[0])
		usage(s.Stderr)
		return 2
	}
	return c.run(ctx, s, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: worker <command> [flags]   (worker <command> -h for a command's flags)")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}
