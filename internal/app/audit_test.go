package app

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/audit"
)

// A worker whose last run has a start event and no stop event (killed, or
// stopped while Kafka did not answer) says so in its next start event.
func TestStartEventNotesAnUnrecordedStop(t *testing.T) {
	signer, err := audit.GenerateSigner("test", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		kinds []string // the previous run's lifecycle events
		want  bool
	}{
		{"first start", nil, false},
		{"clean stop", []string{"start", "stop"}, false},
		{"no stop", []string{"start", "stop", "start"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var history []audit.Message
			prev := &Auditor{log: audit.NewLog(signer, "w1")}
			for _, k := range tc.kinds {
				msgs, err := prev.Lifecycle(k, nil)
				if err != nil {
					t.Fatal(err)
				}
				prev.Commit()
				for _, m := range msgs {
					history = append(history, audit.Message{Kind: m.Kind, Value: m.Value})
				}
			}
			a := &Auditor{log: audit.NewLog(signer, "w1")}
			if err := a.log.Restore(history); err != nil {
				t.Fatal(err)
			}
			a.noteHistory(history, "w1")
			msgs, err := a.Lifecycle("start", nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(msgs[0].Value), `"previous_stop":"unrecorded"`); got != tc.want {
				t.Errorf("start event notes an unrecorded stop: %v, want %v\n%s", got, tc.want, msgs[0].Value)
			}
		})
	}
}
