package audit

import (
	"context"
	"fmt"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/kafkaconn"
	"github.com/twmb/franz-go/pkg/kgo"
)

// HeaderKind is the Kafka header that carries a Message's Kind.
const HeaderKind = deid.HeaderAuditKind

// ReadTopic reads every committed message of an audit topic (read_committed,
// from the start of each partition to its end as of the call) and returns
// them partition by partition, each in offset order: one worker's log lives
// in one partition, keyed by worker id. conn holds the connection options
// (brokers, TLS, SASL) as for `worker run`.
func ReadTopic(ctx context.Context, topic string, conn ...kgo.Opt) ([]Message, error) {
	recs, err := kafkaconn.ReadAll(ctx, conn, topic)
	if err != nil {
		return nil, fmt.Errorf("reading audit topic: %w", err)
	}
	msgs := make([]Message, len(recs))
	for i, r := range recs {
		msgs[i].Value = r.Value
		for _, h := range r.Headers {
			if h.Key == HeaderKind {
				msgs[i].Kind = string(h.Value)
			}
		}
	}
	return msgs, nil
}
