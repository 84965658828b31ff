package kafkaconn

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestEnsureTopicsCreatesChecksAndRefuses(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "in"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if _, err := EnsureTopics(ctx, adm, false, TopicSpec{Name: "missing"}); !errors.Is(err, ErrTopicMissing) {
		t.Errorf("missing topic without create: %v, want ErrTopicMissing", err)
	}
	keep := map[string]string{"retention.ms": "-1"}
	limit, err := EnsureTopics(ctx, adm, true, TopicSpec{Name: "in"}, TopicSpec{Name: "audit", Partitions: 1, Configs: keep})
	if err != nil {
		t.Fatalf("creating: %v", err)
	}
	if limit < 1<<20 {
		t.Errorf("max.message.bytes %d, want the default of about 1 MiB", limit)
	}
	if _, err := EnsureTopics(ctx, adm, true, TopicSpec{Name: "audit", Configs: keep}); err != nil {
		t.Errorf("existing topic with the required setting: %v", err)
	}
	week := "604800000"
	if _, err := adm.CreateTopic(ctx, 1, -1, map[string]*string{"retention.ms": &week}, "old-audit"); err != nil {
		t.Fatal(err)
	}
	_, err = EnsureTopics(ctx, adm, true, TopicSpec{Name: "old-audit", Configs: keep})
	if !errors.Is(err, ErrTopicConfig) || !strings.Contains(err.Error(), "retention.ms is 604800000, it must be -1") {
		t.Errorf("existing audit topic that expires events: %v, want ErrTopicConfig naming the setting", err)
	}
}

// While the cluster cannot place a new topic's replicas (fewer brokers
// registered than its replication factor), creation is retried; a cluster
// that never can is reported once the wait is over.
func TestEnsureTopicsWaitsForReplicas(t *testing.T) {
	for _, tc := range []struct {
		name    string
		refuse  int32 // CreateTopics answered INVALID_REPLICATION_FACTOR this many times
		wantErr bool
	}{
		{"brokers come back", 2, false},
		{"never enough brokers", 1 << 30, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := kfake.NewCluster(kfake.NumBrokers(1))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var refused atomic.Int32
			c.ControlKey(int16(kmsg.CreateTopics), func(req kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				if refused.Load() >= tc.refuse {
					return nil, nil, false
				}
				refused.Add(1)
				r := req.(*kmsg.CreateTopicsRequest)
				resp := r.ResponseKind().(*kmsg.CreateTopicsResponse)
				for _, rt := range r.Topics {
					st := kmsg.NewCreateTopicsResponseTopic()
					st.Topic = rt.Topic
					st.ErrorCode = kerr.InvalidReplicationFactor.Code
					resp.Topics = append(resp.Topics, st)
				}
				return resp, nil, true
			})
			cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			defer func(w time.Duration) { replicasWait = w }(replicasWait)
			replicasWait = 2500 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err = EnsureTopics(ctx, kadm.NewClient(cl), true, TopicSpec{Name: "out", Partitions: 1})
			if tc.wantErr {
				if !errors.Is(err, kerr.InvalidReplicationFactor) || !strings.Contains(err.Error(), "creating topic out") {
					t.Errorf("err = %v, want INVALID_REPLICATION_FACTOR naming the topic", err)
				}
				if n := refused.Load(); n < 2 {
					t.Errorf("creation tried %d times, want retries within the wait", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("EnsureTopics: %v, want the topic created once the brokers are back", err)
			}
			if n := refused.Load(); n != tc.refuse {
				t.Errorf("refused %d times, want %d", n, tc.refuse)
			}
		})
	}
}
