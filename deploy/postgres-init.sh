#!/bin/sh
# Runs once, when the PostgreSQL volume is first created: the two roles of README's
# "Database roles" and the schema the owner owns. Passwords come from the container environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$MOSOVO_OWNER_DB_PASSWORD" -v bot_password="$MOSOVO_BOT_DB_PASSWORD" <<'SQL'
CREATE ROLE mosovo_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE mosovo_bot LOGIN PASSWORD :'bot_password';
CREATE SCHEMA mosovo AUTHORIZATION mosovo_owner;
ALTER ROLE mosovo_owner SET search_path = mosovo;
ALTER ROLE mosovo_bot SET search_path = mosovo;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
