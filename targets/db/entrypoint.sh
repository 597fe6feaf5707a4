#!/bin/sh
# Start PostgreSQL 15 from Debian's packages as the `postgres` user, creating the cluster,
# the `shop` role and database, and the schema the first time the data directory is empty.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
PGDATA=/var/lib/postgresql/data/pgdata
mkdir -p "$PGDATA" /var/run/postgresql
chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    su postgres -c "$PGBIN/initdb -D $PGDATA -U postgres --auth=trust --encoding=UTF8 >/dev/null"
    su postgres -c "$PGBIN/pg_ctl -D $PGDATA -o '-c listen_addresses=127.0.0.1' -w start >/dev/null"
    su postgres -c "psql -q -U postgres -c \"CREATE ROLE shop LOGIN PASSWORD 'shop' SUPERUSER\""
    su postgres -c "psql -q -U postgres -c 'CREATE DATABASE shop OWNER shop'"
    su postgres -c "psql -q -U shop -d shop -v ON_ERROR_STOP=1 -f /opt/drill/db/schema.sql"
    su postgres -c "$PGBIN/pg_ctl -D $PGDATA -m fast -w stop >/dev/null"
    echo "host all all 0.0.0.0/0 md5" >> "$PGDATA/pg_hba.conf"
fi
exec su postgres -c "exec $PGBIN/postgres -D $PGDATA -c listen_addresses='*' \
    -c max_connections=${POSTGRES_MAX_CONNECTIONS:-40} -c shared_buffers=32MB \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
