#!/bin/sh
# Installs the Debian packages that building and testing competency need
# (Debian 12, PostgreSQL 15).  As root it runs apt-get; otherwise it prints
# the exact command and fails.
set -e
PKGS="make gcc postgresql-server-dev-15 libipc-run-perl postgresql-15-cron python3-psycopg2"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "competency needs these packages:$missing" >&2
	echo "Install them as root with:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "Installing:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
