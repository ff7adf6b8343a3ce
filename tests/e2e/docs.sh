#!/usr/bin/env bash
# The documentation that is generated from the code's tables is current:
# docs/CLI.md is `ria help --markdown`, and docs/INGEST.md lists every
# quality rule of `ria help --rules`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! diff <("$RIA_BIN" help --markdown) "$root/docs/CLI.md" >/dev/null; then
    echo "docs/CLI.md is stale: regenerate it with ria help --markdown > docs/CLI.md"
    exit 1
fi
missing=0
while IFS= read -r line; do
    grep -qF -- "$line" "$root/docs/INGEST.md" || { echo "docs/INGEST.md lacks: $line"; missing=1; }
done < <("$RIA_BIN" help --rules)
exit $missing
