package app

import (
	"time"

	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/pipeline"
)

// PipelineConfig is the part of the application's config the worker loop
// reads: the loop's own type, which names no library.
func PipelineConfig(cfg *config.Config) pipeline.Config {
	t := cfg.Topics
	carry, idle, release := "", time.Duration(0), false
	if cfg.CarryEnabled() {
		carry, idle, release = t.Carry, cfg.Privacy.Carry.MaxIdle, !cfg.Privacy.Carry.KeepOnStop
	}
	return pipeline.Config{
		WorkerID:    cfg.Worker.ID,
		Parallelism: cfg.Worker.Parallelism,
		QueueDepth:  cfg.Worker.QueueDepth,
		Topics: pipeline.Topics{Input: t.Input, Research: t.Research, Audit: t.Audit, Quarantine: t.Quarantine,
			Stats: t.Stats, Budget: t.Budget, Placeholders: t.Placeholders, Carry: carry, Create: t.Create, Partitions: t.Partitions},
		Input:  pipeline.Input{MaxRecordBytes: cfg.Input.MaxRecordBytes, Required: cfg.Input.Required, Types: cfg.Input.Types},
		Window: pipeline.Window{MaxRecords: cfg.Window.MaxRecords, MaxWait: cfg.Window.MaxWait, MaxBytes: cfg.Window.MaxBytes},
		Kafka: pipeline.Kafka{GroupID: cfg.Kafka.GroupID, TransactionalID: cfg.Kafka.TransactionalIDPrefix + cfg.Worker.ID,
			SessionTimeout: cfg.Kafka.SessionTimeout, TransactionTimeout: cfg.Kafka.TransactionTimeout,
			InstanceID:      instanceID(cfg),
			MaxMessageBytes: cfg.Kafka.MaxMessageBytes},
		DrainTimeout:       cfg.Ops.DrainTimeout,
		CarryMaxIdle:       idle,
		CarryReleaseOnStop: release,
	}
}

// instanceID is the worker's group.instance.id: its id, when static membership is on.
func instanceID(cfg *config.Config) string {
	if cfg.Kafka.StaticMembership {
		return cfg.Worker.ID
	}
	return ""
}
