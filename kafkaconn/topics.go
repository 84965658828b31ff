package kafkaconn

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

var (
	// ErrTopicMissing means a topic the worker needs does not exist and creating it was not allowed.
	ErrTopicMissing = errors.New("topic does not exist")
	// ErrTopicConfig means an existing topic has a setting the worker cannot work with
	// (e.g. an audit topic that deletes old events); alter it with kafka-configs.
	ErrTopicConfig = errors.New("topic setting unusable")
)

// TopicSpec is a topic the worker reads or writes, and how to create it if missing.
type TopicSpec struct {
	Name       string
	Partitions int32
	// Configs are applied at creation, and an existing topic must have them
	// too (e.g. unlimited retention for the audit log, which must stay whole).
	Configs map[string]string
}

// EnsureTopics checks that every topic exists, creating the missing ones when
// create is true (replication factor -1: the broker's default). It returns the
// smallest max.message.bytes among the topics, so producers stay under it.
func EnsureTopics(ctx context.Context, adm *kadm.Client, create bool, specs ...TopicSpec) (maxMessageBytes int, err error) {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	details, err := adm.ListTopics(ctx, names...)
	if err != nil {
		return 0, fmt.Errorf("listing topics: %w", err)
	}
	for _, s := range specs {
		if d, ok := details[s.Name]; ok && d.Err == nil {
			continue
		} else if ok && !errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
			return 0, fmt.Errorf("checking topic %s: %w", s.Name, d.Err)
		}
		if !create {
			return 0, fmt.Errorf("checking topic %s: %w", s.Name, ErrTopicMissing)
		}
		cfg := make(map[string]*string, len(s.Configs))
		for k, v := range s.Configs {
			cfg[k] = &v
		}
		if err := createTopic(ctx, adm, s, cfg); err != nil {
			return 0, err
		}
	}
	rcs, err := describeConfigs(ctx, adm, names)
	if err != nil {
		return 0, err
	}
	want := map[string]map[string]string{}
	for _, s := range specs {
		want[s.Name] = s.Configs
	}
	for _, rc := range rcs {
		for _, c := range rc.Configs {
			if c.Value == nil {
				continue
			}
			if w, ok := want[rc.Name][c.Key]; ok && w != *c.Value {
				return 0, fmt.Errorf("checking topic %s: %s is %s, it must be %s: %w", rc.Name, c.Key, *c.Value, w, ErrTopicConfig)
			}
			if c.Key != "max.message.bytes" {
				continue
			}
			if n, err := strconv.Atoi(*c.Value); err == nil && (maxMessageBytes == 0 || n < maxMessageBytes) {
				maxMessageBytes = n
			}
		}
	}
	return maxMessageBytes, nil
}

// replicasWait bounds how long createTopic retries a topic whose replicas
// the cluster cannot place yet.
var replicasWait = 30 * time.Second

// createTopic creates the topic s (one that exists already is fine). While
// fewer brokers are registered than the replication factor needs (a rolling
// restart, a broker fenced for a late heartbeat) Kafka refuses with
// INVALID_REPLICATION_FACTOR: that is retried every second for replicasWait,
// then reported (a factor above the cluster's size stays an error).
func createTopic(ctx context.Context, adm *kadm.Client, s TopicSpec, cfg map[string]*string) error {
	deadline := time.Now().Add(replicasWait)
	for {
		resp, err := adm.CreateTopic(ctx, s.Partitions, -1, cfg, s.Name)
		if err == nil {
			err = resp.Err
		}
		if err == nil || errors.Is(err, kerr.TopicAlreadyExists) {
			return nil
		}
		if !errors.Is(err, kerr.InvalidReplicationFactor) || time.Now().After(deadline) {
			return fmt.Errorf("creating topic %s: %w", s.Name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("creating topic %s: %w (stopped while waiting for the brokers its replicas need)", s.Name, err)
		case <-time.After(time.Second):
		}
	}
}

// describeConfigs describes the topics' configs, retrying for a few seconds
// while a topic just created is not yet known to the broker answering.
func describeConfigs(ctx context.Context, adm *kadm.Client, names []string) (kadm.ResourceConfigs, error) {
	for attempt := 0; ; attempt++ {
		rcs, err := adm.DescribeTopicConfigs(ctx, names...)
		if err != nil {
			return nil, fmt.Errorf("describing topic configs: %w", err)
		}
		var rerr error
		for _, rc := range rcs {
			if rc.Err != nil {
				rerr = fmt.Errorf("describing config of topic %s: %w", rc.Name, rc.Err)
				break
			}
		}
		if rerr == nil || !errors.Is(rerr, kerr.UnknownTopicOrPartition) || attempt == 40 {
			return rcs, rerr
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (%w)", rerr, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
