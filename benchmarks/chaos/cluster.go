package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// cluster is a local KRaft cluster run by deploy/kafka/kafka.sh in a state
// directory of its own, on ports no other broker uses.
type cluster struct {
	script  string
	env     []string
	nodes   int
	brokers []string // what clients bootstrap from: the proxies when there are
	proxies []*proxy // one per node, or none
	log     io.Writer
}

// proxyOffset is where a node's proxy listens: its PLAINTEXT port + this
// (kafka.sh's KAFKA_ADVERTISE_OFFSET; the node replicates on its port + 3).
const proxyOffset = 5

// repoRoot is the directory holding go.mod, searched from the working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding the repository: no go.mod in the working directory or above it")
		}
		dir = parent
	}
}

// freeBase finds a port P such that P, P+1, P+2 of every node (P+10*i...) are
// free. It looks below Linux's ephemeral range (32768 and up by default): a
// port there may be taken by an outgoing connection while a node is down,
// and the node could not listen on it again.
func freeBase(nodes int) (int, error) {
	for try := 0; try < 100; try++ {
		p := 20000 + 100*rand.IntN(120)
		free := true
		for i := range nodes {
			for _, k := range []int{0, 1, 2, 3, proxyOffset} {
				if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+10*i+k)); err != nil {
					free = false
				} else {
					l.Close()
				}
			}
		}
		if free {
			return p, nil
		}
	}
	return 0, errors.New("finding free ports for the cluster: none after 100 tries")
}

// startCluster starts nodes Kafka nodes with their state in dir; with
// proxied, clients reach each node through a fault-injecting proxy.
func startCluster(ctx context.Context, root, dir string, nodes int, proxied bool, log io.Writer) (*cluster, error) {
	base, err := freeBase(nodes)
	if err != nil {
		return nil, err
	}
	c := &cluster{script: filepath.Join(root, "deploy", "kafka", "kafka.sh"), nodes: nodes, log: log,
		env: append(os.Environ(), fmt.Sprintf("KAFKA_NODES=%d", nodes), "KAFKA_STATE_DIR="+dir,
			fmt.Sprintf("KAFKA_PORT=%d", base), fmt.Sprintf("KAFKA_SASL_PORT=%d", base+1),
			fmt.Sprintf("KAFKA_CONTROLLER_PORT=%d", base+2), "KAFKA_HEAP=512m")}
	for i := range nodes {
		port := base + 10*i
		if proxied {
			p, err := newProxy(fmt.Sprintf("127.0.0.1:%d", port+proxyOffset), fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				c.closeProxies()
				return nil, err
			}
			c.proxies = append(c.proxies, p)
			port += proxyOffset
		}
		c.brokers = append(c.brokers, fmt.Sprintf("127.0.0.1:%d", port))
	}
	if proxied {
		c.env = append(c.env, fmt.Sprintf("KAFKA_ADVERTISE_OFFSET=%d", proxyOffset))
	}
	if err := c.run(ctx, "start"); err != nil {
		_ = c.run(context.WithoutCancel(ctx), "stop")
		c.closeProxies()
		return nil, err
	}
	return c, nil
}

func (c *cluster) closeProxies() {
	for _, p := range c.proxies {
		p.close()
	}
}

// run runs kafka.sh with args, its output to the log.
func (c *cluster) run(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, c.script, args...)
	cmd.Env = c.env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, io.MultiWriter(&stderr, c.log)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kafka.sh %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

// node runs a node command (kill, start, stop, pause, resume) on node i (1-based).
func (c *cluster) node(ctx context.Context, action string, i int) error {
	return c.run(ctx, "node-"+action, fmt.Sprint(i))
}

// all runs a node command on every node at once: a cluster of killed nodes
// only finishes starting once its controllers have their quorum.
func (c *cluster) all(ctx context.Context, action string) error {
	var wg sync.WaitGroup
	errs := make([]error, c.nodes)
	for i := range c.nodes {
		wg.Go(func() { errs[i] = c.node(ctx, action, i+1) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (c *cluster) stop() error {
	defer c.closeProxies()
	return c.run(context.Background(), "stop")
}

// conn are the client options that reach the cluster.
func (c *cluster) conn() []kgo.Opt { return []kgo.Opt{kgo.SeedBrokers(c.brokers...)} }

// leader returns the node leading topic/partition.
func (c *cluster) leader(ctx context.Context, topic string, partition int32) (int, error) {
	cl, err := kgo.NewClient(c.conn()...)
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	md, err := kadm.NewClient(cl).Metadata(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("finding the leader of %s/%d: %w", topic, partition, err)
	}
	p, ok := md.Topics[topic].Partitions[partition]
	if !ok || p.Leader < 0 {
		return 0, fmt.Errorf("finding the leader of %s/%d: no leader", topic, partition)
	}
	return int(p.Leader), nil
}
