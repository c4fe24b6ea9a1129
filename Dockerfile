# syntax=docker/dockerfile:1
#
# sowflow's container image: the one static binary, run as `api`, `worker` or
# `migrate up` (docker-compose.yml). `dev` is not meant for containers: it wants
# PostgreSQL binaries and a writable data directory.
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t sowflow:dev .
#
# The build stage's Go version must equal the go directive in go.mod;
# config/compose_test.go checks it.

FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
# Set by BuildKit to the platform being built; the build cross-compiles to it,
# which needs no emulation since the binary is pure Go (the SQLite driver is
# modernc.org/sqlite).
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
ENV CGO_ENABLED=0 \
    GOTOOLCHAIN=local
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/sowflow ./cmd/sowflow

# distroless/static: CA certificates, tzdata and a nonroot user (65532), no
# shell and no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sowflow /usr/local/bin/sowflow
USER nonroot:nonroot
# The API's default SOWFLOW_HTTP_ADDR.
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/sowflow"]
CMD ["--help"]
