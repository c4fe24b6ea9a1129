package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := kv[k]
		return v, ok
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	const db = "postgres://sowflow@127.0.0.1:5432/sowflow"
	tests := []struct {
		name    string
		mode    Mode
		env     map[string]string
		wantErr []string
	}{
		{"api needs a database", ModeAPI, map[string]string{}, []string{"DATABASE_URL: is required"}},
		{"http scheme for temporal", ModeAPI, map[string]string{"DATABASE_URL": db, "TEMPORAL_ADDRESS": "http://temporal:7233"}, []string{`TEMPORAL_ADDRESS: unknown scheme "http"`}},
		{"temporal without port", ModeWorker, map[string]string{"DATABASE_URL": db, "TEMPORAL_ADDRESS": "temporal"}, []string{"TEMPORAL_ADDRESS: want host:port"}},
		{"temporal port out of range", ModeWorker, map[string]string{"DATABASE_URL": db, "TEMPORAL_ADDRESS": "temporal:99999"}, []string{"TEMPORAL_ADDRESS: port"}},
		{"malformed database url", ModeAPI, map[string]string{"DATABASE_URL": "postgres://u:p@host:notaport/db"}, []string{"DATABASE_URL: malformed"}},
		{"mysql database url", ModeMigrate, map[string]string{"DATABASE_URL": "mysql://u@host/db"}, []string{`DATABASE_URL: unknown scheme "mysql"`}},
		{"bad database url in dev", ModeDev, map[string]string{"DATABASE_URL": "postgres://%zz"}, []string{"DATABASE_URL: malformed"}},
		{"log format", ModeDev, map[string]string{"SOWFLOW_LOG_FORMAT": "xml"}, []string{`SOWFLOW_LOG_FORMAT: "xml" is not one of json, text`}},
		{"log level", ModeDev, map[string]string{"SOWFLOW_LOG_LEVEL": "loud"}, []string{"SOWFLOW_LOG_LEVEL"}},
		{"auto migrate", ModeDev, map[string]string{"SOWFLOW_AUTO_MIGRATE": "maybe"}, []string{"SOWFLOW_AUTO_MIGRATE"}},
		{"ui port", ModeDev, map[string]string{"SOWFLOW_UI_PORT": "70000"}, []string{"SOWFLOW_UI_PORT"}},
		{"http addr", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_HTTP_ADDR": "8080"}, []string{"SOWFLOW_HTTP_ADDR"}},
		{"shutdown timeout", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_SHUTDOWN_TIMEOUT": "-1s"}, []string{"SOWFLOW_SHUTDOWN_TIMEOUT"}},
		{"tls cert without key", ModeWorker, map[string]string{"DATABASE_URL": db, "TEMPORAL_TLS_CERT": "/nonexistent/cert.pem"}, []string{"TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together", "TEMPORAL_TLS_CERT: cannot read file"}},
		{"public url without scheme", ModeMigrate, map[string]string{"DATABASE_URL": db, "SOWFLOW_PUBLIC_URL": "sowflow.example.com"}, []string{"SOWFLOW_PUBLIC_URL"}},
		{"public url with query", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_PUBLIC_URL": "https://sowflow.example.com/?a=b"}, []string{"SOWFLOW_PUBLIC_URL: \"https://sowflow.example.com/?a=b\": want only scheme"}},
		{"payload key too short", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_PAYLOAD_KEY": "c2hvcnQ="}, []string{"SOWFLOW_PAYLOAD_KEY: want 32 bytes"}},
		{"read timeout", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_HTTP_READ_TIMEOUT": "soon"}, []string{"SOWFLOW_HTTP_READ_TIMEOUT"}},
		{"write timeout", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_HTTP_WRITE_TIMEOUT": "0s"}, []string{"SOWFLOW_HTTP_WRITE_TIMEOUT"}},
		{"metrics addr", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_METRICS_ADDR": "9090"}, []string{"SOWFLOW_METRICS_ADDR"}},
		{"metrics addr same as api", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_METRICS_ADDR": ":8080"}, []string{"SOWFLOW_METRICS_ADDR: is SOWFLOW_HTTP_ADDR"}},
		{"idempotency retention", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_IDEMPOTENCY_RETENTION": "30s"}, []string{"SOWFLOW_IDEMPOTENCY_RETENTION: 30s is too short"}},
		{"http document uris", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_ALLOW_HTTP_DOCUMENT_URIS": "perhaps"}, []string{"SOWFLOW_ALLOW_HTTP_DOCUMENT_URIS"}},
		{"smtp url scheme", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_SMTP_URL": "http://mail.example.com", "SOWFLOW_MAIL_FROM": "noreply@example.com"}, []string{"SOWFLOW_SMTP_URL: want smtp://"}},
		{"smtp without sender", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_SMTP_URL": "smtps://u:p@mail.example.com"}, []string{"SOWFLOW_MAIL_FROM"}},
		{"worker cache size not a number", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_WORKER_CACHE_SIZE": "lots"}, []string{`SOWFLOW_WORKER_CACHE_SIZE: "lots" is not a whole number`}},
		{"worker cache size negative", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_WORKER_CACHE_SIZE": "-1"}, []string{"SOWFLOW_WORKER_CACHE_SIZE: -1 is below the minimum 0"}},
		{"worker cache size huge", ModeDev, map[string]string{"SOWFLOW_WORKER_CACHE_SIZE": "100000000"}, []string{"SOWFLOW_WORKER_CACHE_SIZE: 100000000 is above the maximum 10000000"}},
		{"one workflow task slot", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_WORKER_MAX_WORKFLOW_TASKS": "1"}, []string{"SOWFLOW_WORKER_MAX_WORKFLOW_TASKS: 1 is below the minimum 2"}},
		{"no activity slots", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_WORKER_MAX_ACTIVITIES": "0"}, []string{"SOWFLOW_WORKER_MAX_ACTIVITIES: 0 is below the minimum 1"}},
		{"no local activity slots", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_WORKER_MAX_LOCAL_ACTIVITIES": "0"}, []string{"SOWFLOW_WORKER_MAX_LOCAL_ACTIVITIES: 0 is below the minimum 1"}},
		{"one workflow poller", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_WORKER_WORKFLOW_POLLERS": "1"}, []string{"SOWFLOW_WORKER_WORKFLOW_POLLERS: 1 is below the minimum 2"}},
		{"activity pollers not a number", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_WORKER_ACTIVITY_POLLERS": "2.5"}, []string{`SOWFLOW_WORKER_ACTIVITY_POLLERS: "2.5" is not a whole number`}},
		{"more workflow pollers than slots", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_WORKER_MAX_WORKFLOW_TASKS": "4", "SOWFLOW_WORKER_WORKFLOW_POLLERS": "8"}, []string{"SOWFLOW_WORKER_WORKFLOW_POLLERS: 8 is more than SOWFLOW_WORKER_MAX_WORKFLOW_TASKS (4)"}},
		{"more activity pollers than slots", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_WORKER_MAX_ACTIVITIES": "2", "SOWFLOW_WORKER_ACTIVITY_POLLERS": "3"}, []string{"SOWFLOW_WORKER_ACTIVITY_POLLERS: 3 is more than SOWFLOW_WORKER_MAX_ACTIVITIES (2)"}},
		{"trusted proxy not an address", ModeAPI, map[string]string{"DATABASE_URL": db, "SOWFLOW_TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"}, []string{`SOWFLOW_TRUSTED_PROXIES: "proxy.internal" is neither an address nor a CIDR prefix`}},
		{"pprof addr", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_PPROF_ADDR": "6060"}, []string{"SOWFLOW_PPROF_ADDR: want host:port"}},
		{"health addr", ModeWorker, map[string]string{"DATABASE_URL": db, "SOWFLOW_HEALTH_ADDR": "8081"}, []string{"SOWFLOW_HEALTH_ADDR: want host:port"}},
		{"several problems at once", ModeAPI, map[string]string{"TEMPORAL_ADDRESS": "grpc://x:1", "SOWFLOW_LOG_LEVEL": "x"}, []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "SOWFLOW_LOG_LEVEL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.mode, env(tt.env))
			if err == nil {
				t.Fatalf("Load succeeded, want errors %q", tt.wantErr)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestLoadDefaultsAndOverrides(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	for _, f := range []string{cert, key} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		mode  Mode
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"dev defaults", ModeDev, map[string]string{}, func(t *testing.T, c Config) {
			if c.LogFormat != "text" || !c.AutoMigrate || c.HTTPAddr != "127.0.0.1:8080" || c.UIPort != 8233 || c.DataDir != "./.data" {
				t.Errorf("unexpected dev defaults: %+v", c)
			}
		}},
		{"api defaults", ModeAPI, map[string]string{"DATABASE_URL": "postgres://x@db/sowflow"}, func(t *testing.T, c Config) {
			if c.LogFormat != "json" || c.AutoMigrate || c.Temporal.Namespace != "default" || c.Temporal.TaskQueue != "sowflow" || c.ShutdownTimeout != 15*time.Second {
				t.Errorf("unexpected api defaults: %+v", c)
			}
			if c.HTTPAddr != ":8080" || c.MetricsAddr != "" || c.HTTPReadTimeout != 30*time.Second || c.HTTPWriteTimeout != 60*time.Second ||
				c.IdempotencyRetention != 24*time.Hour || c.AllowHTTPDocumentURIs {
				t.Errorf("unexpected api limits: %+v", c)
			}
		}},
		{"dev opened explicitly", ModeDev, map[string]string{"SOWFLOW_HTTP_ADDR": ":9000", "SOWFLOW_METRICS_ADDR": "127.0.0.1:9090",
			"SOWFLOW_HTTP_READ_TIMEOUT": "5s", "SOWFLOW_IDEMPOTENCY_RETENTION": "72h", "SOWFLOW_ALLOW_HTTP_DOCUMENT_URIS": "true"}, func(t *testing.T, c Config) {
			if c.HTTPAddr != ":9000" || c.MetricsAddr != "127.0.0.1:9090" || c.HTTPReadTimeout != 5*time.Second ||
				c.IdempotencyRetention != 72*time.Hour || !c.AllowHTTPDocumentURIs {
				t.Errorf("overrides not taken: %+v", c)
			}
		}},
		{"dns target and tls", ModeWorker, map[string]string{"DATABASE_URL": "postgres://x@db/sowflow", "TEMPORAL_ADDRESS": "dns:///temporal.internal:7233", "TEMPORAL_TLS_CERT": cert, "TEMPORAL_TLS_KEY": key}, func(t *testing.T, c Config) {
			if c.Temporal.Address != "dns:///temporal.internal:7233" || !c.Temporal.TLSEnabled() {
				t.Errorf("unexpected temporal config: %+v", c.Temporal)
			}
		}},
		{"worker defaults", ModeWorker, map[string]string{"DATABASE_URL": "postgres://x@db/sowflow"}, func(t *testing.T, c Config) {
			if c.Worker != DefaultWorkerTuning || c.Worker.CacheSize != 10000 || c.Worker.WorkflowPollers != 2 {
				t.Errorf("unexpected worker tuning: %+v", c.Worker)
			}
		}},
		{"worker tuned", ModeWorker, map[string]string{"DATABASE_URL": "postgres://x@db/sowflow", "SOWFLOW_WORKER_CACHE_SIZE": "0",
			"SOWFLOW_WORKER_MAX_WORKFLOW_TASKS": "64", "SOWFLOW_WORKER_MAX_ACTIVITIES": "32", "SOWFLOW_WORKER_MAX_LOCAL_ACTIVITIES": "16",
			"SOWFLOW_WORKER_WORKFLOW_POLLERS": "8", "SOWFLOW_WORKER_ACTIVITY_POLLERS": "4"}, func(t *testing.T, c Config) {
			want := WorkerTuning{CacheSize: 0, MaxWorkflowTasks: 64, MaxActivities: 32, MaxLocalActivities: 16, WorkflowPollers: 8, ActivityPollers: 4}
			if c.Worker != want {
				t.Errorf("worker tuning %+v, want %+v", c.Worker, want)
			}
		}},
		{"ui disabled", ModeDev, map[string]string{"SOWFLOW_UI_PORT": "-1", "SOWFLOW_LOG_LEVEL": "debug"}, func(t *testing.T, c Config) {
			if c.UIPort != -1 || c.LogLevel.String() != "DEBUG" {
				t.Errorf("got UIPort %d level %s", c.UIPort, c.LogLevel)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.mode, env(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, c)
		})
	}
}
