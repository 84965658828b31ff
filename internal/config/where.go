package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// source is where a loaded config came from: the file and the line of each
// key, so an error found later (a key file that does not open) can point at
// the line to fix.
type source struct {
	file    string
	lines   map[string]int  // "keys.research[0]" -> line
	literal map[string]bool // keys whose value is written in the file, not taken from ${ENV}
}

// Where returns "FILE:LINE" for a key of the loaded file ("keys.research[0]"),
// "FILE" when the key is not in it (a default), and "" for a config that was
// not loaded from a file.
func (c *Config) Where(key string) string {
	if c.src.file == "" {
		return ""
	}
	if n, ok := c.src.lines[key]; ok {
		return fmt.Sprintf("%s:%d", c.src.file, n)
	}
	return c.src.file
}

// recordLines remembers the line of every key of data (parsed without error before).
func (c *Config) recordLines(file string, data []byte) {
	c.src = source{file: file, lines: map[string]int{}, literal: map[string]bool{}}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return
	}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := join(path, n.Content[i].Value)
				c.src.lines[p] = n.Content[i].Line
				if v := n.Content[i+1]; v.Kind == yaml.ScalarNode && v.Value != "" && !strings.Contains(v.Value, "${") {
					c.src.literal[p] = true
				}
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, e := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				c.src.lines[p] = e.Line
				walk(e, p)
			}
		}
	}
	walk(doc.Content[0], "")
}

// Warnings lists settings that work but weaken security, each with its file and line and what
// to do: `run` and `backfill` log them at start, `validate` prints them.
func (c *Config) Warnings() []string {
	var w []string
	add := func(key, msg string) {
		at := c.Where(key)
		if at == "" {
			at = "config"
		}
		w = append(w, fmt.Sprintf("%s: %s: %s", at, key, msg))
	}
	k := c.Kafka
	if k.TLS.InsecureSkipVerify {
		add("kafka.tls.insecure_skip_verify", "true: the brokers' certificates are not checked, so anyone on the network "+
			"path can pose as a broker and read records and credentials; for tests only, set a ca_file instead")
	}
	if strings.EqualFold(k.SASL.Mechanism, "PLAIN") && !k.TLS.Enabled {
		add("kafka.sasl.mechanism", "PLAIN without kafka.tls.enabled: the password crosses the network in clear; "+
			"enable TLS or use SCRAM-SHA-512")
	}
	for _, key := range []string{"kafka.sasl.password", "redaction.secret"} {
		if c.src.literal[key] {
			add(key, "the secret is written in the config file: put ${ENV_VAR} there and the secret in the environment")
		}
	}
	return w
}
