#!/bin/sh
# Brings Temporal's two PostgreSQL databases to the schema of this admin-tools
# image (docker-compose.yml, service temporal-schema). It runs before every start
# of the temporal service and is idempotent: on an up-to-date database each step
# finds nothing to do.
#
# The databases and their owner are created by deploy/postgres/initdb. The
# connection comes from the environment temporal-sql-tool reads: SQL_PLUGIN,
# SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD. The schemas are the ones embedded
# in temporal-sql-tool, so they always match the tool's (and the server's) version.
set -eu

: "${TEMPORAL_DB_NAME:=temporal}"
: "${TEMPORAL_VISIBILITY_DB_NAME:=temporal_visibility}"

setup() {
	db=$1
	schema=$2
	echo "temporal-schema: $db: versioning tables"
	# Version 0.0 only creates the versioning tables; it keeps a newer version as is.
	temporal-sql-tool --database "$db" setup-schema --version 0.0
	echo "temporal-schema: $db: update to the latest $schema schema"
	temporal-sql-tool --database "$db" update-schema --schema-name "$schema"
}

setup "$TEMPORAL_DB_NAME" postgresql/v12/temporal
setup "$TEMPORAL_VISIBILITY_DB_NAME" postgresql/v12/visibility
echo "temporal-schema: done"
