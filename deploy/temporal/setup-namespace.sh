#!/bin/sh
# Creates sowflow's Temporal namespace and registers the custom search attributes
# its workflows set (docker-compose.yml, service temporal-setup). It runs once
# per `docker compose up`, after the temporal service answers, and is
# idempotent: an existing namespace is kept, and the server skips search
# attributes that are already registered.
#
# Environment:
#   TEMPORAL_ADDRESS             frontend host:port (also read by the temporal CLI)
#   TEMPORAL_NAMESPACE           namespace to create (default: default)
#   TEMPORAL_NAMESPACE_RETENTION how long closed workflows are kept (default: 720h)
#   SEARCH_ATTRIBUTES            comma-separated Name=Type pairs, e.g.
#                                SowCustomer=Keyword,SowNextDeadline=Datetime;
#                                config/compose_test.go checks them against
#                                workflows.SearchAttributes()
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
: "${SEARCH_ATTRIBUTES:?SEARCH_ATTRIBUTES is required}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${TEMPORAL_NAMESPACE_RETENTION:=720h}"
ns=$TEMPORAL_NAMESPACE

# retry DESCRIPTION COMMAND...: runs COMMAND every 2 seconds until it succeeds,
# for at most 2 minutes.
retry() {
	what=$1
	shift
	n=0
	until "$@"; do
		n=$((n + 1))
		if [ "$n" -ge 60 ]; then
			echo "temporal-setup: $what: still failing after 2 minutes" >&2
			return 1
		fi
		sleep 2
	done
}

namespace_ready() {
	if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$ns" >/dev/null 2>&1; then
		return 0
	fi
	# A failed create (it already exists, or the server is still starting) is
	# retried through describe.
	temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$ns" \
		--retention "$TEMPORAL_NAMESPACE_RETENTION" || true
	return 1
}

echo "temporal-setup: waiting for $TEMPORAL_ADDRESS"
retry "cluster health" temporal operator cluster health --address "$TEMPORAL_ADDRESS"

echo "temporal-setup: namespace $ns"
retry "namespace $ns" namespace_ready

# One create call with every attribute: --name and --type pair up in order.
set --
for pair in $(echo "$SEARCH_ATTRIBUTES" | tr ',' ' '); do
	name=${pair%%=*}
	type=${pair#*=}
	if [ -z "$name" ] || [ "$name" = "$pair" ] || [ -z "$type" ]; then
		echo "temporal-setup: SEARCH_ATTRIBUTES: $pair is not Name=Type" >&2
		exit 1
	fi
	set -- "$@" --name "$name" --type "$type"
done
echo "temporal-setup: search attributes $SEARCH_ATTRIBUTES"
# A namespace created a moment ago may take a few seconds to reach every
# frontend's namespace cache, hence the retry.
retry "search attributes" temporal operator search-attribute create \
	--address "$TEMPORAL_ADDRESS" --namespace "$ns" "$@"
temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$ns"
echo "temporal-setup: done"
