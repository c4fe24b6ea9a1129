# sowflow — `make help` lists the targets.

GO        ?= go
BIN       := $(CURDIR)/bin
SOWFLOW   := $(BIN)/sowflow
STATICCHECK_VERSION   := v0.8.2
WORKFLOWCHECK_VERSION := v0.6.0
TEST_TIMEOUT ?= 30m
# Iterations of the API-against-SDK benchmarks (make bench): each accept
# iteration times one accept per path, each start iteration 32 starts per
# path (8 clients at once); about 40 s each on 2 cores.
BENCH_ACCEPT ?= 100x
BENCH_START  ?= 10x

.DEFAULT_GOAL := help
.PHONY: help run demo build test test-scale bench lint fuzz histories screenshots clean measure-memory

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/sowflow
	$(GO) build -o $(SOWFLOW) ./cmd/sowflow

run: build ## start sowflow dev: embedded Temporal + Web UI, worker, API on :8080
	$(SOWFLOW) dev

demo: build ## sowflow dev with demo projects, a service with tickets and an SLA period (once per database)
	$(SOWFLOW) dev --demo

screenshots: ## write PNGs of the portal's main pages (both languages, desktop and phone) to docs/screenshots (needs chromium)
	SOWFLOW_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestScreenshots$$' -v -timeout $(TEST_TIMEOUT) ./cmd/sowflow/
	@if command -v pngquant >/dev/null; then pngquant --force --ext .png --quality 70-90 --speed 3 docs/screenshots/*.png; else echo "pngquant not found: the PNGs are not compressed (apt-get install pngquant)"; fi

test: ## run every test (needs PostgreSQL on 127.0.0.1:5432 or SOWFLOW_TEST_DATABASE_URL)
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

measure-memory: ## one worker holding 10,000 live projects: its RSS in five steps (docs/scaling.md)
	SOWFLOW_MEASURE_MEMORY=$${SOWFLOW_MEASURE_MEMORY:-10000} SOWFLOW_MEASURE_MEMORY_OUT=$${SOWFLOW_MEASURE_MEMORY_OUT:-$(CURDIR)/memory.md} \
		$(GO) test -count=1 -timeout 3h -run '^TestWorkerMemory$$' -v ./scale/

bench: ## run the benchmarks (calendar clocks, dev server WAL vs no WAL, API vs SDK latency and starts: BENCH_ACCEPT, BENCH_START, history replay)
	$(GO) test -run='^$$' -bench=. -benchmem -timeout $(TEST_TIMEOUT) $$($(GO) list ./... | grep -v '/api$$')
	$(GO) test -run='^$$' -bench='^BenchmarkAcceptDeliverable$$' -benchtime=$(BENCH_ACCEPT) -timeout $(TEST_TIMEOUT) ./api/
	$(GO) test -run='^$$' -bench='^BenchmarkStartProject$$' -benchtime=$(BENCH_START) -timeout $(TEST_TIMEOUT) ./api/

histories: ## re-record the golden workflow histories in workflows/testdata (on purpose: see workflows/versions.go)
	rm -f workflows/testdata/*.json workflows/testdata/*.json.gz
	$(GO) test -tags golden -run '^TestRecordGolden' -count=1 -v -timeout $(TEST_TIMEOUT) ./workflows/

fuzz: ## fuzz the calendar and the API's mutating endpoints for a minute each
	$(GO) test -run='^$$' -fuzz=FuzzDeadline -fuzztime=60s ./calendar/
	$(GO) test -run='^$$' -fuzz=FuzzMutatingEndpoints -fuzztime=60s ./api/

lint: $(BIN)/staticcheck $(BIN)/workflowcheck ## gofmt, go vet, staticcheck and workflowcheck
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt: these files need formatting:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/staticcheck ./...
	$(BIN)/workflowcheck ./workflows/...

$(BIN)/staticcheck:
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(BIN)/workflowcheck:
	GOBIN=$(BIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

clean: ## remove build output (not .data)
	rm -rf $(BIN)
