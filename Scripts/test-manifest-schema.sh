#!/usr/bin/env bash
# The field names apply's strict validation checks (Sources/Lab/Manifests/ManifestSchema+Fields.swift)
# are those of Kubernetes 1.35's OpenAPI schema, as the PyPI package kubernetes-validate ships it.
#   Scripts/test-manifest-schema.sh [path/to/svclab]   (the binary is not needed)
# Ends with "manifest-schema: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
if python3 Scripts/gen-manifest-schema.py --check; then
  echo "ok 1 - manifest schema › the generated field names match Kubernetes 1.35's schema"
  echo "manifest-schema: 1 passed, 0 failed"
else
  echo "not ok 1 - manifest schema › the generated field names match Kubernetes 1.35's schema (run Scripts/gen-manifest-schema.py)"
  echo "manifest-schema: 0 passed, 1 failed"
  exit 1
fi
