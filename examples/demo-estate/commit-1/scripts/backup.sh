#!/bin/sh
set -eu
# Nightly export to the reporting API.
curl -sf -X POST https://reports.acme.test/v1/exports \
  -H "Authorization: Bearer {{jwt}}" \
  -d @export.json
