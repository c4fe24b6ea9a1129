#!/usr/bin/env bash
# Creates the roles and databases of the sowflow deployment (docker-compose.yml).
#
# The postgres image runs this once, on the first start of an empty data volume:
# changing a password or a name afterwards needs ALTER ROLE by hand (or a fresh
# volume). Names and passwords come from the postgresql service's environment.
#
#   temporal             Temporal's persistence  (owner TEMPORAL_DB_USER)
#   temporal_visibility  Temporal's visibility   (owner TEMPORAL_DB_USER)
#   sowflow              sowflow's read model, idempotency records and audit log
#                        (owner SOWFLOW_DB_USER, which `sowflow migrate` runs as;
#                        api and worker connect as SOWFLOW_APP_DB_USER, which
#                        `sowflow migrate up` grants what they need and which
#                        owns nothing, so it cannot disable audit_log's trigger)
#
# Each database is owned by its service's role, so the role may create tables in
# its public schema (PostgreSQL 15+ no longer lets every role do that). The
# btree_gin extension Temporal's visibility schema needs is created here by the
# superuser; the schema tool then finds it present.
set -euo pipefail

psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
	-v temporal_user="${TEMPORAL_DB_USER:-temporal}" \
	-v temporal_password="${TEMPORAL_DB_PASSWORD:-temporal}" \
	-v temporal_db="${TEMPORAL_DB_NAME:-temporal}" \
	-v temporal_visibility_db="${TEMPORAL_VISIBILITY_DB_NAME:-temporal_visibility}" \
	-v sowflow_user="${SOWFLOW_DB_USER:-sowflow}" \
	-v sowflow_password="${SOWFLOW_DB_PASSWORD:-sowflow}" \
	-v sowflow_db="${SOWFLOW_DB_NAME:-sowflow}" \
	-v sowflow_app_user="${SOWFLOW_APP_DB_USER:-sowflow_app}" \
	-v sowflow_app_password="${SOWFLOW_APP_DB_PASSWORD:-sowflow_app}" <<-'EOSQL'
	CREATE ROLE :"temporal_user" LOGIN PASSWORD :'temporal_password';
	CREATE DATABASE :"temporal_db" OWNER :"temporal_user";
	CREATE DATABASE :"temporal_visibility_db" OWNER :"temporal_user";
	CREATE ROLE :"sowflow_user" LOGIN PASSWORD :'sowflow_password';
	CREATE DATABASE :"sowflow_db" OWNER :"sowflow_user";
	CREATE ROLE :"sowflow_app_user" LOGIN PASSWORD :'sowflow_app_password';
	REVOKE ALL ON DATABASE :"sowflow_db" FROM PUBLIC;
	GRANT CONNECT, TEMPORARY ON DATABASE :"sowflow_db" TO :"sowflow_app_user";
	\connect :"temporal_visibility_db"
	CREATE EXTENSION IF NOT EXISTS btree_gin;
EOSQL
