package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuMark is where the CPU clocks stood at one moment: this process's (the
// bare pipe or the worker, plus the benchmark's own polling) and the whole
// machine's (the broker too), so that a run can say whether it was bound by
// the CPU the worker and the broker share.
type cpuMark struct {
	at         time.Time
	self       time.Duration
	busy, idle uint64 // clock ticks of /proc/stat's first line; zero where it cannot be read
}

func markCPU() cpuMark {
	m := cpuMark{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		m.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return m
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line) // "cpu user nice system idle iowait irq softirq steal guest guest_nice"
	if len(fields) < 5 {
		return m
	}
	for i, f := range fields[1:] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			break
		}
		switch i {
		case 3, 4: // idle, iowait
			m.idle += v
		case 8, 9: // guest time is counted in user time already
		default:
			m.busy += v
		}
	}
	return m
}

// since describes the CPU used from m to now.
func (m cpuMark) since() string {
	now := markCPU()
	s := fmt.Sprintf("%.2f CPU-s in this process over %.2f s", (now.self - m.self).Seconds(), now.at.Sub(m.at).Seconds())
	busy, idle := now.busy-m.busy, now.idle-m.idle
	if busy+idle > 0 {
		f := float64(busy) / float64(busy+idle)
		s += fmt.Sprintf("; machine %.0f %% busy (%.2f of %d cores)", 100*f, f*float64(runtime.NumCPU()), runtime.NumCPU())
	}
	return s
}
