// Package depsprobe pins the design's chosen modules in go.mod until real code imports them; removed once every one is used.
package depsprobe

import (
	_ "github.com/apache/arrow-go/v18/arrow/ipc"
	_ "github.com/cloudflare/circl/hpke"
	_ "github.com/cloudflare/circl/sign/mldsa/mldsa65"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/twmb/franz-go/pkg/kadm"
	_ "github.com/twmb/franz-go/pkg/kfake"
	_ "github.com/twmb/franz-go/pkg/kgo"
	_ "github.com/twmb/franz-go/plugin/kprom"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/mod/sumdb/note"
	_ "golang.org/x/mod/sumdb/tlog"
)
