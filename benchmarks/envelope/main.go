// Command envelope measures seal/open throughput of package envelope against
// raw AES-256-GCM on the same bytes, in the same run, and the per-recipient
// X-Wing cost. On a shared machine wall time mostly measures the neighbours,
// so it reports process CPU time per operation (getrusage, GOMAXPROCS=1,
// includes GC) alongside wall time, each the minimum over interleaved rounds.
//
//	go run ./benchmarks/envelope [-rounds 5] [-mib 1,16]
package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/deidstream/deidstream/envelope"
)

type result struct{ wall, cpu time.Duration }

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs fn n times and returns per-op wall and CPU time.
func measure(n int, fn func()) result {
	runtime.GC()
	c0, w0 := cpuNow(), time.Now()
	for range n {
		fn()
	}
	return result{time.Since(w0) / time.Duration(n), (cpuNow() - c0) / time.Duration(n)}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "envelope bench:", err)
		os.Exit(1)
	}
}

func main() {
	rounds := flag.Int("rounds", 5, "interleaved rounds; the minimum per case is reported")
	sizes := flag.String("mib", "1,16", "payload sizes in MiB, comma separated")
	flag.Parse()
	runtime.GOMAXPROCS(1)

	key, err := envelope.GenerateKey(nil)
	check(err)
	recips := []*envelope.PublicKey{key.Public()}
	prov := envelope.Provenance{Kind: envelope.KindResearch, BatchID: "bench",
		Ranges: []envelope.OffsetRange{{Topic: "raw", Partition: 0, First: 0, Last: 999}}}
	block, _ := aes.NewCipher(make([]byte, 32))
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, 12)

	fmt.Printf("go %s %s/%s, %d CPUs visible, GOMAXPROCS=1, rounds=%d\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), *rounds)
	fmt.Printf("%-28s %12s %12s %10s %14s\n", "case", "cpu/op", "wall/op", "MB/s(cpu)", "ratio vs raw")
	for _, s := range strings.Split(*sizes, ",") {
		mib, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		n := mib << 20
		pt := make([]byte, n)
		rand.Read(pt)
		ops := max(3, 64/mib)
		sealed, err := envelope.Seal(pt, prov, recips)
		check(err)
		rawCT := gcm.Seal(nil, nonce, pt, nil)
		var sbuf, obuf, rbuf []byte
		cases := []struct {
			name string
			fn   func()
		}{
			{"raw-gcm-seal", func() { rbuf = gcm.Seal(rbuf[:0], nonce, pt, nil) }},
			{"raw-gcm-open", func() { rbuf, err = gcm.Open(rbuf[:0], nonce, rawCT, nil); check(err) }},
			{"envelope-seal", func() { _, err := envelope.Seal(pt, prov, recips); check(err) }},
			{"envelope-append-seal", func() { sbuf, err = envelope.AppendSeal(sbuf[:0], pt, prov, recips); check(err) }},
			{"envelope-open", func() { _, _, err := envelope.Open(sealed, key); check(err) }},
			{"envelope-append-open", func() { obuf, _, err = envelope.AppendOpen(obuf[:0], sealed, key); check(err) }},
		}
		best := make([]result, len(cases))
		for r := range *rounds {
			for i, c := range cases {
				m := measure(ops, c.fn)
				if r == 0 || m.cpu < best[i].cpu {
					best[i].cpu = m.cpu
				}
				if r == 0 || m.wall < best[i].wall {
					best[i].wall = m.wall
				}
			}
		}
		for i, c := range cases {
			base := best[0].cpu // raw seal
			if strings.Contains(c.name, "open") {
				base = best[1].cpu
			}
			mbps := float64(n) / best[i].cpu.Seconds() / 1e6
			fmt.Printf("%-28s %12v %12v %10.0f %13.2fx\n", fmt.Sprintf("%s/%dMiB", c.name, mib), best[i].cpu, best[i].wall, mbps, float64(best[i].cpu)/float64(base))
		}
	}

	// Per-recipient KEM cost: what each extra recipient adds to a batch.
	fmt.Println()
	one, err := envelope.Seal(nil, prov, recips)
	check(err)
	three := []*envelope.PublicKey{key.Public()}
	for range 2 {
		k, err := envelope.GenerateKey(nil)
		check(err)
		three = append(three, k.Public())
	}
	kcases := []struct {
		name string
		fn   func()
	}{
		{"seal-empty/1-recipient", func() { _, err := envelope.Seal(nil, prov, recips); check(err) }},
		{"seal-empty/3-recipients", func() { _, err := envelope.Seal(nil, prov, three); check(err) }},
		{"open-empty (decap+checks)", func() { _, _, err := envelope.Open(one, key); check(err) }},
	}
	for _, c := range kcases {
		var b result
		for r := range *rounds {
			m := measure(200, c.fn)
			if r == 0 || m.cpu < b.cpu {
				b = m
			}
		}
		fmt.Printf("%-28s %12v %12v\n", c.name, b.cpu, b.wall)
	}
}
