package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// source is where a loaded config came from: the file and the line of each
// key, so an error found later (a key file that does not open) can point at
// the line to fix.
type source struct {
	file  string
	lines map[string]int // "keys.research[0]" -> line
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
	c.src = source{file: file, lines: map[string]int{}}
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
