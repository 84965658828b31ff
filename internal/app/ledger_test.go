package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/internal/kafkatest"
	"github.com/deidstream/deidstream/privacy/dp"
)

// raceForBudget runs that many DP adapters, each with its own ledger client,
// charging one dataset's budget of 10 releases at once until refused; each
// aborts its window after every abortEvery-th charge (0: never). It returns
// the releases of committed windows and the ledger's final state.
func raceForBudget(t *testing.T, conn []kgo.Opt, topic string, workers, abortEvery int) (committed int, ledgerState []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := dp.Config{Dataset: "race", Accounting: dp.ZCDP, Budget: 1, PerRelease: 0.1, Count: true}
	rows := [][]string{{"a"}, {"b"}, {"c"}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Go(func() {
			d, err := newDP(cfg, newLedger(conn, topic, cfg.Dataset, budgetTxnID(topic+"-", cfg.Dataset), 10*time.Second), 20*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer d.ledger.release()
			for n := 1; ctx.Err() == nil; n++ {
				r, err := d.Release([]string{"x"}, rows)
				if err != nil {
					errs <- fmt.Errorf("worker %d, window %d: %w", i, n, err)
					return
				}
				if r.Summary.Refused {
					return
				}
				if abortEvery > 0 && n%abortEvery == 0 {
					d.Abort()
					continue
				}
				d.Commit()
				mu.Lock()
				committed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	state, err := readLedger(ctx, conn, topic, cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	return committed, state
}

// spentOf is the exact spend a ledger state records.
func spentOf(t *testing.T, state []byte) *big.Rat {
	t.Helper()
	var l struct{ Spent string }
	if err := json.Unmarshal(state, &l); err != nil {
		t.Fatal(err)
	}
	r, ok := new(big.Rat).SetString(l.Spent)
	if !ok {
		t.Fatalf("ledger spent %q is not a rational", l.Spent)
	}
	return r
}

// checkRace asserts what racing for a budget of 10 releases must give:
// never more than 10 committed releases, a ledger at most the budget and at
// least what committed windows released; without aborts, all 10 exactly.
func checkRace(t *testing.T, conn []kgo.Opt, topic string, abortEvery int) {
	committed, state := raceForBudget(t, conn, topic, 3, abortEvery)
	spent := spentOf(t, state)
	released := new(big.Rat).SetFrac64(int64(committed), 10)
	t.Logf("%d releases committed, ledger spent %s", committed, spent.RatString())
	if spent.Cmp(big.NewRat(1, 1)) > 0 {
		t.Errorf("ledger spent %s, over the budget of 1", spent.RatString())
	}
	if released.Cmp(spent) > 0 {
		t.Errorf("%d committed releases spent %s, more than the ledger's %s", committed, released.RatString(), spent.RatString())
	}
	if abortEvery == 0 && committed != 10 {
		t.Errorf("%d releases committed, want exactly the 10 the budget holds", committed)
	}
	if committed == 0 {
		t.Error("no release committed")
	}
}

// TestLedgerRaceKfake: three workers race for one budget on an in-process Kafka.
func TestLedgerRaceKfake(t *testing.T) {
	for _, abortEvery := range []int{0, 3} {
		t.Run(fmt.Sprintf("abort_every_%d", abortEvery), func(t *testing.T) {
			cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
			if err != nil {
				t.Fatal(err)
			}
			defer cluster.Close()
			conn := []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}
			cl, err := kgo.NewClient(conn...)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if _, err := kadm.NewClient(cl).CreateTopic(context.Background(), 1, 1, nil, "budget"); err != nil {
				t.Fatal(err)
			}
			checkRace(t, conn, "budget", abortEvery)
		})
	}
}

// TestIntegrationLedgerRace: the same race on the real broker.
func TestIntegrationLedgerRace(t *testing.T) {
	adm := kafkatest.Admin(t)
	conn := []kgo.Opt{kgo.SeedBrokers(kafkatest.Brokers(t)...)}
	for _, abortEvery := range []int{0, 3} {
		t.Run(fmt.Sprintf("abort_every_%d", abortEvery), func(t *testing.T) {
			compact := "compact"
			topic := kafkatest.TopicWithConfigs(t, adm, 1, map[string]*string{"cleanup.policy": &compact})
			checkRace(t, conn, topic, abortEvery)
		})
	}
}
