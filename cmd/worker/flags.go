package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagSet is every command's flag parser: the standard flag package (which
// accepts -name and --name alike) with the project's conventions on top:
//   - a command that reads a config file takes it as -c FILE or --config FILE;
//   - -h and --help print the whole usage (synopsis, what the command does,
//     every flag with its placeholder and default) on stdout and exit 0;
//   - a bad flag or a stray argument prints the usage on stderr and exits 2.
type flagSet struct {
	*flag.FlagSet
	s        stdio
	synopsis string // after "usage: worker "
	about    string // what the command does; may span lines
	short    map[string]string
	hasShort map[string]bool
}

// newFlags makes the flag set of "worker <name>"; synopsis follows the name
// in the usage line ("-c FILE [--group G]"), about explains the command.
func newFlags(s stdio, name, synopsis, about string) *flagSet {
	f := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), s: s, synopsis: synopsis, about: about,
		short: map[string]string{}, hasShort: map[string]bool{}}
	f.SetOutput(io.Discard) // parse errors are printed by parse, with the usage
	f.Usage = func() {}
	return f
}

// configFlag registers -c and --config for the config file path.
func (f *flagSet) configFlag(p *string, def, usage string) {
	f.StringVar(p, "config", def, usage)
	f.StringVar(p, "c", def, usage)
	f.short["config"], f.hasShort["c"] = "c", true
}

// parse parses args; ok false means the command returns code: 0 after -h, 2
// after a usage error (with the usage on stderr).
func (f *flagSet) parse(args []string) (code int, ok bool) {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			f.printUsage(f.s.Stdout)
			return 0, false
		}
		fmt.Fprintf(f.s.Stderr, "worker %s: %v\n\n", f.Name(), err)
		f.printUsage(f.s.Stderr)
		return 2, false
	}
	if f.NArg() > 0 {
		fmt.Fprintf(f.s.Stderr, "worker %s: unexpected argument %q\n\n", f.Name(), f.Arg(0))
		f.printUsage(f.s.Stderr)
		return 2, false
	}
	return 0, true
}

// usageError prints why the flags do not go together, then the usage; it returns 2.
func (f *flagSet) usageError(format string, args ...any) int {
	fmt.Fprintf(f.s.Stderr, "worker %s: %s\n\n", f.Name(), fmt.Sprintf(format, args...))
	f.printUsage(f.s.Stderr)
	return 2
}

// printUsage writes the usage line, the description and every flag:
// "  -c, --config FILE  what it is (default x)". A placeholder is the
// back-quoted word of the flag's usage, as flag.UnquoteUsage reads it.
func (f *flagSet) printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: worker %s %s\n", f.Name(), f.synopsis)
	if f.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(f.about, "\n"))
	}
	type line struct{ names, usage string }
	var lines []line
	width := 0
	f.VisitAll(func(fl *flag.Flag) {
		if f.hasShort[fl.Name] {
			return // printed with its long name
		}
		placeholder, usage := flag.UnquoteUsage(fl)
		names := "--" + fl.Name
		if s, ok := f.short[fl.Name]; ok {
			names = "-" + s + ", " + names
		}
		if placeholder != "" {
			names += " " + strings.ToUpper(placeholder)
		}
		if d := fl.DefValue; d != "" && d != "0" && d != "false" {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		lines = append(lines, line{names, usage})
		width = max(width, len(names))
	})
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "\nflags:")
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s  %s\n", width, l.names, l.usage)
	}
}

// subcommand is one subcommand of a command group (keys, audit, dp).
type subcommand struct {
	name, summary string
	run           func(s stdio, args []string) int
}

// runGroup dispatches "worker <group> <sub> ...". -h prints every
// subcommand's full usage, so one help shows the whole group.
func runGroup(s stdio, group, about string, subs []subcommand, args []string) int {
	help := func(w io.Writer) {
		fmt.Fprintf(w, "usage: worker %s <subcommand> [flags]\n\n%s\n\nsubcommands:\n", group, about)
		for _, sc := range subs {
			fmt.Fprintf(w, "  %-8s %s\n", sc.name, sc.summary)
		}
		for _, sc := range subs {
			fmt.Fprintln(w)
			sc.run(stdio{Stdin: strings.NewReader(""), Stdout: w, Stderr: w}, []string{"-h"})
		}
	}
	if len(args) == 0 {
		help(s.Stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		help(s.Stdout)
		return 0
	}
	for _, sc := range subs {
		if sc.name == args[0] {
			return sc.run(s, args[1:])
		}
	}
	fmt.Fprintf(s.Stderr, "worker %s: unknown subcommand %q\n\n", group, args[0])
	help(s.Stderr)
	return 2
}
