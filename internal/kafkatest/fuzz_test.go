package kafkatest

import (
	"regexp"
	"strings"
	"testing"
)

var (
	legalTopic = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)
	hexSuffix  = regexp.MustCompile(`^[0-9a-f]{1,32}$`)
)

// FuzzTopicName: whatever the test name, the topic name is legal for Kafka and keeps the suffix.
func FuzzTopicName(f *testing.F) {
	for _, s := range []string{"", "TestX", "TestX/sub case", "Test\x00\xff", strings.Repeat("ü", 300)} {
		f.Add(s, "0a1b2c3d4e5f")
	}
	f.Fuzz(func(t *testing.T, testName, suffix string) {
		if !hexSuffix.MatchString(suffix) {
			t.Skip("TopicName only passes hex suffixes")
		}
		got := topicName(testName, suffix)
		if !legalTopic.MatchString(got) {
			t.Fatalf("topicName(%q, %q) = %q is not a legal topic name", testName, suffix, got)
		}
		if !strings.HasPrefix(got, "deidtest-") || !strings.HasSuffix(got, "-"+suffix) {
			t.Fatalf("topicName(%q, %q) = %q lost its prefix or suffix", testName, suffix, got)
		}
	})
}

// FuzzSplitList: elements are non-empty, trimmed, and comma-free, and none is lost.
func FuzzSplitList(f *testing.F) {
	for _, s := range []string{"", ",", "a:1", " a:1 , b:2,", "\t,\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := splitList(s)
		for _, e := range got {
			if e == "" || e != strings.TrimSpace(e) || strings.Contains(e, ",") {
				t.Fatalf("splitList(%q) has element %q", s, e)
			}
		}
		want := 0
		for _, f := range strings.Split(s, ",") {
			if strings.TrimSpace(f) != "" {
				want++
			}
		}
		if len(got) != want {
			t.Fatalf("splitList(%q) = %d elements, want %d", s, len(got), want)
		}
	})
}
