package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sowflow/sowflow/store"
)

// metrics holds the API's Prometheus collectors, on a registry of its own so
// that several APIs in one process (tests) do not collide.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	actions  *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sowflow_http_requests_total",
			Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sowflow_http_request_duration_seconds",
			Help:    "HTTP request latency by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sowflow_workflow_actions_total",
			Help: "Project workflow actions by action and outcome (ok, ActionRefused, ActionForbidden, ActionInvalid, error).",
		}, []string{"action", "outcome"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.actions,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe counts and times every request under its route template (never
// the raw path, which would explode the label set; every unmatched path is
// "unmatched") and its method (methodLabel).
func (m *metrics) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := strconv.Itoa(c.Writer.Status())
		method := methodLabel(c.Request.Method)
		m.requests.WithLabelValues(route, method, status).Inc()
		m.latency.WithLabelValues(route, method, status).Observe(time.Since(start).Seconds())
	}
}

// methodLabel is the method as a metric label: the standard methods by
// name, anything else OTHER.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

func (m *metrics) action(name, outcome string) {
	m.actions.WithLabelValues(name, outcome).Inc()
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// deliveryCollector reports the notification delivery log on each scrape,
// from PostgreSQL, so it covers every relay process: deliveries by channel
// and outcome, and the age of the oldest pending delivery per channel.
type deliveryCollector struct {
	store *store.Store
	count *prometheus.Desc
	age   *prometheus.Desc
}

func newDeliveryCollector(st *store.Store) *deliveryCollector {
	return &deliveryCollector{store: st,
		count: prometheus.NewDesc("sowflow_notification_deliveries", "Notification deliveries in the delivery log by channel and outcome (sent, failed, pending).", []string{"channel", "outcome"}, nil),
		age:   prometheus.NewDesc("sowflow_notification_queue_age_seconds", "Age of the oldest pending notification delivery by channel.", []string{"channel"}, nil),
	}
}

// Describe sends the collector's descriptions.
func (d *deliveryCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- d.count
	ch <- d.age
}

// Collect reads the delivery log; a database error reports nothing.
func (d *deliveryCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, ages, err := d.store.DeliveryStats(ctx)
	if err != nil {
		return
	}
	for _, c := range counts {
		ch <- prometheus.MustNewConstMetric(d.count, prometheus.GaugeValue, float64(c.Count), c.Channel, c.Outcome)
	}
	for _, channel := range []string{store.ChannelWebhook, store.ChannelEmail} {
		ch <- prometheus.MustNewConstMetric(d.age, prometheus.GaugeValue, ages[channel].Seconds(), channel)
	}
}
