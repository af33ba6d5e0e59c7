#!/usr/bin/env bash
# Regenerates ocop/geo/data/legacy_map.json.gz from vietnam-provinces 0.6.0.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q "vietnam-provinces==0.6.0"
"$tmp/venv/bin/python" "$here/scripts/export_legacy_map.py" "$here/ocop/geo/data/legacy_map.json.gz"
