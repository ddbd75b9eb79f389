#!/usr/bin/env bash
# Apply (or with --check, verify) .clang-format on every C source.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | while read -r f; do [[ -f $f ]] && echo "$f"; done)
if [[ ${1:-} == --check ]]; then
	clang-format --dry-run -Werror "${files[@]}"
	echo "format: ${#files[@]} files clean"
else
	clang-format -i "${files[@]}"
fi
