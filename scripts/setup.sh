#!/usr/bin/env bash
# Installs what building mind needs on Debian/Ubuntu: OpenBLAS (CBLAS headers and library) and
# hnswlib (header-only HNSW) and SQLite (the event log of `mind serve`, through GRDB). Idempotent: does nothing when the packages are already there.
set -euo pipefail
if dpkg -s libopenblas-dev libhnswlib-dev libsqlite3-dev >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libopenblas-dev libhnswlib-dev libsqlite3-dev >/dev/null
echo "installed libopenblas-dev, libhnswlib-dev and libsqlite3-dev"
