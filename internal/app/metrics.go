package app

import (
	"errors"
	"math"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/pipeline"
)

// keyMetrics are the key files' ages, by kind, and the rotation period they
// are held to: file modification times and a config value, no key material.
func keyMetrics(cfg *config.Config) []prometheus.Collector {
	out := []prometheus.Collector{prometheus.NewGauge(prometheus.GaugeOpts{Name: "deid_key_rotation_period_seconds",
		Help: "keys.rotation_period: how old a key file may grow before it is due for rotation."})}
	period := cfg.Keys.RotationPeriod
	if period == 0 {
		period = config.DefaultRotationPeriod
	}
	out[0].(prometheus.Gauge).Set(period.Seconds())
	for kind, paths := range map[string][]string{"research": cfg.Keys.Research, "quarantine": cfg.Keys.Quarantine,
		"audit_signer": {cfg.Keys.AuditSigner}} {
		out = append(out, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "deid_key_file_age_seconds",
			Help:        "Age of the oldest key file of a kind (since its last modification), read at each scrape; NaN if none can be read.",
			ConstLabels: prometheus.Labels{"kind": kind}}, func() float64 { return oldest(paths) }))
	}
	return out
}

// oldest is the age in seconds of the oldest file of paths that can be read.
func oldest(paths []string) float64 {
	age := math.NaN()
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			if a := time.Since(fi.ModTime()).Seconds(); math.IsNaN(age) || a > age {
				age = a
			}
		}
	}
	return age
}

// StopCauses are the values of deid_worker_stops_total's cause label.
var StopCauses = []string{"residual_phi", "audit_verify", "audit_sign", "seal", "other"}

// NewStopCounter registers deid_worker_stops_total on reg, every cause at 0.
func NewStopCounter(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "deid_worker_stops_total",
		Help: "Times the worker stopped on an error an operator must clear, by cause; served until the process exits (ops.linger)."}, []string{"cause"})
	for _, k := range StopCauses {
		c.WithLabelValues(k)
	}
	reg.MustRegister(c)
	return c
}

// StopCause classifies an error that stopped the worker for deid_worker_stops_total.
func StopCause(err error) string {
	switch {
	case errors.Is(err, pipeline.ErrResidualPHI):
		return "residual_phi"
	case errors.Is(err, ErrAuditRestore):
		return "audit_verify"
	case errors.Is(err, ErrCheckpointSigning):
		return "audit_sign"
	case errors.Is(err, pipeline.ErrSealing):
		return "seal"
	}
	return "other"
}
