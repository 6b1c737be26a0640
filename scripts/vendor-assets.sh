#!/usr/bin/env bash
# Refresh the vendored front-end assets from their npm packages (no CDN at run time:
# government intranets are often offline). Run by hand when upgrading; the files it
# writes are committed under chizheng/static/vendor/.
set -euo pipefail
TABLER=1.6.1
HTMX=2.0.11
out="$(cd "$(dirname "$0")/.." && pwd)/chizheng/static/vendor"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "@tabler/core@$TABLER" "htmx.org@$HTMX" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
mkdir -p "$out/tabler" "$out/htmx"
cp "tabler-core-$TABLER/package/dist/css/tabler.min.css" "$out/tabler/"
cp "tabler-core-$TABLER/package/dist/js/tabler.min.js" "$out/tabler/"
printf "@tabler/core %s — MIT License, https://tabler.io\n" "$TABLER" > "$out/tabler/LICENSE"
cp "htmx.org-$HTMX/package/dist/htmx.min.js" "$out/htmx/"
cp "htmx.org-$HTMX/package/LICENSE" "$out/htmx/LICENSE"
printf '@tabler/core %s\nhtmx.org %s\n' "$TABLER" "$HTMX" > "$out/VERSIONS"
# The source maps are not shipped; drop the references so the static manifest does not look for them.
sed -i -E 's#/[/*]\# sourceMappingURL=[^ *]*( \*/)?##' "$out"/tabler/*.min.* "$out"/htmx/*.min.js
