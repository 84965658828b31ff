package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// A scenario injects its faults into a running run and records the events
// its recovery is measured from.
type scenario struct {
	key     string // names its topics and group
	name    string
	workers int
	fault   func(context.Context, *run) error
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// workerKills SIGKILLs a random worker at a random moment n times, restarting
// it at once; each waits for the previous victim to commit again first.
func workerKills(n int) scenario {
	return scenario{"worker-kills", fmt.Sprintf("%d worker SIGKILLs", n), 3, func(ctx context.Context, r *run) error {
		for k := range n {
			if err := sleep(ctx, time.Duration(500+rand.IntN(2500))*time.Millisecond); err != nil {
				return err
			}
			i := rand.IntN(len(r.workers))
			r.kill(i)
			at := time.Now()
			r.events = append(r.events, event{at, i})
			if err := r.start(i); err != nil {
				return err
			}
			r.h.logf("%s: kill %d: worker %d", r.name, k+1, i+1)
			if err := r.waitCommits(ctx, at, 2*time.Minute, i); err != nil {
				return err
			}
		}
		return nil
	}}
}

// brokerKill SIGKILLs the broker leading input partition 0 (a window of its
// worker is open: input flows all the time), and starts it again after down.
func brokerKill(down time.Duration) scenario {
	return scenario{"broker-kill", "partition leader's broker SIGKILLed", 3, func(ctx context.Context, r *run) error {
		leader, err := r.h.cl.leader(ctx, r.prefix+".raw", 0)
		if err != nil {
			return err
		}
		if err := r.h.cl.node(ctx, "kill", leader); err != nil {
			return err
		}
		at := time.Now()
		r.events = append(r.events, event{at, -1})
		r.notes = append(r.notes, fmt.Sprintf("node %d down %v", leader, down))
		r.h.logf("%s: killed node %d", r.name, leader)
		if err := r.waitCommits(ctx, at, 2*time.Minute); err != nil {
			return err
		}
		if err := sleep(ctx, time.Until(at.Add(down))); err != nil {
			return err
		}
		return r.h.cl.node(ctx, "start", leader)
	}}
}

// outage takes the whole cluster down for d: every broker SIGKILLed (or,
// with pause, SIGSTOPped: connections hang instead of being refused), then
// started (resumed) again. Halfway it checks that worker 1 says why it is
// not ready; after, that no worker wrote more than maxLines log lines.
func outage(d time.Duration, pause bool, maxLines int) scenario {
	key, name, down, up := "outage", fmt.Sprintf("whole-cluster outage %v (brokers SIGKILLed)", d), "kill", "start"
	if pause {
		key, name, down, up = "stall", fmt.Sprintf("whole-cluster stall %v (brokers SIGSTOPped)", d), "pause", "resume"
	}
	return scenario{key, name, 3, func(ctx context.Context, r *run) error {
		t0 := time.Now()
		if err := r.h.cl.all(ctx, down); err != nil {
			return err
		}
		r.h.logf("%s: cluster down", r.name)
		if err := sleep(ctx, d/2); err != nil {
			return err
		}
		code, body := r.readyz(0)
		r.notes = append(r.notes, fmt.Sprintf("/readyz mid-outage: %d %q", code, body))
		if err := sleep(ctx, time.Until(t0.Add(d))); err != nil {
			return err
		}
		if err := r.h.cl.all(ctx, up); err != nil {
			return err
		}
		at := time.Now()
		r.events = append(r.events, event{at, -1})
		r.h.logf("%s: cluster back", r.name)
		if err := r.waitCommits(ctx, at, 3*time.Minute); err != nil {
			return err
		}
		lines := r.outageLines(t0, time.Now())
		r.notes = append(r.notes, fmt.Sprintf("at most %d log lines per worker from the outage to its first commit after", lines))
		var errs []string
		if code != 503 || !strings.Contains(body, "Kafka unreachable") {
			errs = append(errs, fmt.Sprintf("/readyz during the outage answered %d %q, want 503 naming the outage", code, body))
		}
		if lines > maxLines {
			errs = append(errs, fmt.Sprintf("a worker wrote %d log lines during the outage, want at most %d", lines, maxLines))
		}
		if errs != nil {
			return fmt.Errorf("%s", strings.Join(errs, "; "))
		}
		return nil
	}}
}

// rollingRestart stops and starts every broker in turn (SIGTERM: a controlled shutdown).
func rollingRestart() scenario {
	return scenario{"rolling", "rolling restart of every broker", 3, func(ctx context.Context, r *run) error {
		for i := 1; i <= r.h.cl.nodes; i++ {
			if err := r.h.cl.node(ctx, "stop", i); err != nil {
				return err
			}
			r.events = append(r.events, event{time.Now(), -1})
			if err := r.h.cl.node(ctx, "start", i); err != nil {
				return err
			}
			r.h.logf("%s: node %d restarted", r.name, i)
			if err := sleep(ctx, 5*time.Second); err != nil {
				return err
			}
		}
		return nil
	}}
}

// rebalances starts a fourth worker, then stops it (SIGTERM), every period for total.
func rebalances(period, total time.Duration) scenario {
	return scenario{"rebalance", fmt.Sprintf("rebalance every %v for %v", period, total), 4, func(ctx context.Context, r *run) error {
		extra := len(r.workers) - 1
		r.kill(extra) // started with the others; it joins and leaves from here
		end := time.Now().Add(total)
		for n := 0; time.Now().Before(end); n++ {
			if err := sleep(ctx, period); err != nil {
				return err
			}
			var err error
			if n%2 == 0 {
				err = r.start(extra)
			} else {
				err = r.stop(extra)
			}
			if err != nil {
				return err
			}
			r.events = append(r.events, event{time.Now(), -1})
		}
		return nil
	}}
}

// tcpStall holds every byte between the clients and the brokers for d (the
// connections stay open: reads time out), through the proxies.
func tcpStall(d time.Duration) scenario {
	return scenario{"tcp-stall", fmt.Sprintf("TCP stall %v between workers and brokers (proxy)", d), 3, func(ctx context.Context, r *run) error {
		var ends []func()
		for _, p := range r.h.cl.proxies {
			ends = append(ends, p.stall())
		}
		err := sleep(ctx, d)
		for _, end := range ends {
			end()
		}
		r.events = append(r.events, event{time.Now(), -1})
		if err != nil {
			return err
		}
		return r.waitCommits(ctx, time.Now(), 3*time.Minute)
	}}
}

// tcpResets resets every connection between the clients and the brokers
// every period for total, through the proxies.
func tcpResets(period, total time.Duration) scenario {
	return scenario{"tcp-resets", fmt.Sprintf("TCP resets every %v for %v (proxy)", period, total), 3, func(ctx context.Context, r *run) error {
		for end := time.Now().Add(total); time.Now().Before(end); {
			if err := sleep(ctx, period); err != nil {
				return err
			}
			for _, p := range r.h.cl.proxies {
				p.reset()
			}
			r.events = append(r.events, event{time.Now(), -1})
		}
		return r.waitCommits(ctx, time.Now(), 3*time.Minute)
	}}
}

// slowLink delays every chunk between the clients and the brokers by delay,
// each way, for total; recovery is how soon every worker commits under it.
func slowLink(delay, total time.Duration) scenario {
	return scenario{"slow-link", fmt.Sprintf("slow link +%v per chunk each way for %v (proxy)", delay, total), 3, func(ctx context.Context, r *run) error {
		for _, p := range r.h.cl.proxies {
			p.slow(delay)
		}
		r.events = append(r.events, event{time.Now(), -1})
		err := sleep(ctx, total)
		for _, p := range r.h.cl.proxies {
			p.slow(0)
		}
		return err
	}}
}
