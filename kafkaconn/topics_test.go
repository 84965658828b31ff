package kafkaconn

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
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
