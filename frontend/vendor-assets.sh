#!/usr/bin/env bash
# Vendor the front-end assets the site serves itself (no CDN at run time).
#
# Fetches pinned package tarballs from the npm registry with `npm pack` into a
# temporary directory, checks their integrity, extracts them and copies only
# the files the site needs into:
#
#   frontend/static/dkfds/      Det Fælles Designsystem (dkfds)
#   frontend/static/leaflet/    Leaflet
#   tests/e2e/vendor/           axe-core (browser accessibility tests only)
#
# and writes frontend/static/VENDORED.md describing what was copied.
#
# Usage (from the repository root):  bash frontend/vendor-assets.sh
# Idempotent: the target directories are rebuilt from scratch on every run.
# No node_modules directory is created and nothing is installed globally.
#
# To upgrade a package: change its *_VERSION below, set its *_INTEGRITY to ""
# and run the script once; it prints the new integrity value to pin.
set -euo pipefail

# --- Pinned versions --------------------------------------------------------
DKFDS_VERSION="11.2.0"
DKFDS_INTEGRITY="sha512-JuVf8NjEOeF+TKIhEFXa3BfZvk1ulQM8+XN+6QhgDo6kiwwvupyBY34YU4FglBeyFWHbE5mYDmnrcYTWOSKkEA=="
LEAFLET_VERSION="1.9.4"
LEAFLET_INTEGRITY="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
AXE_VERSION="4.14.1"
AXE_INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="

# --- Paths --------------------------------------------------------------------
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC_DIR="$REPO_ROOT/frontend/static"
DKFDS_DEST="$STATIC_DIR/dkfds"
LEAFLET_DEST="$STATIC_DIR/leaflet"
AXE_DEST="$REPO_ROOT/tests/e2e/vendor"
MANIFEST="$STATIC_DIR/VENDORED.md"

for tool in npm tar sed grep find sort; do
    command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' is required" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vendor-assets.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/stage"
mkdir -p "$STAGE/dkfds" "$STAGE/leaflet" "$STAGE/axe"

log() { printf '==> %s\n' "$*" >&2; }

# fetch NAME VERSION EXPECTED_INTEGRITY -> extracts into $WORK/src/NAME/package
fetch() {
    local name="$1" version="$2" expected="$3" json tarball integrity
    log "npm pack $name@$version"
    mkdir -p "$WORK/pack" "$WORK/src/$name"
    json="$(cd "$WORK/pack" && npm pack "$name@$version" --json 2>"$WORK/npm-stderr.log")" || {
        echo "error: npm pack $name@$version failed:" >&2
        cat "$WORK/npm-stderr.log" >&2
        exit 1
    }
    tarball="$(printf '%s\n' "$json" | sed -n 's/^ *"filename": *"\([^"]*\)".*/\1/p' | head -n1)"
    integrity="$(printf '%s\n' "$json" | sed -n 's/^ *"integrity": *"\([^"]*\)".*/\1/p' | head -n1)"
    [ -n "$tarball" ] && [ -f "$WORK/pack/$tarball" ] || { echo "error: no tarball for $name" >&2; exit 1; }
    if [ -z "$expected" ]; then
        log "  $name@$version integrity (pin this): $integrity"
    elif [ "$integrity" != "$expected" ]; then
        echo "error: integrity mismatch for $name@$version" >&2
        echo "  expected: $expected" >&2
        echo "  got:      $integrity" >&2
        exit 1
    fi
    tar -xzf "$WORK/pack/$tarball" -C "$WORK/src/$name"
    printf '%s' "$integrity" >"$WORK/src/$name.integrity"
}

# package.json "license" field of an extracted package
pkg_license() {
    sed -n 's/^ *"license": *"\([^"]*\)".*/\1/p' "$1/package.json" | head -n1
}

# Copy SRC to DEST, dropping a trailing sourceMappingURL comment (the .map
# files are not vendored, and Django's manifest storage would look for them).
copy_without_sourcemap() {
    mkdir -p "$(dirname "$2")"
    sed -e 's@/\*# sourceMappingURL=[^*]*\*/@@' -e 's@^//# sourceMappingURL=.*$@@' "$1" >"$2"
}

# Every relative url(...) in a CSS file must point to a file next to it.
check_css_urls() {
    local css="$1" dir url missing=0
    dir="$(dirname "$css")"
    while IFS= read -r url; do
        case "$url" in ''|'#'*|data:*|http:*|https:*|//*) continue ;; esac
        url="${url%%[?#]*}"
        if [ ! -f "$dir/$url" ]; then
            echo "error: $css references missing $url" >&2
            missing=1
        fi
    done < <(grep -o 'url([^)]*)' "$css" | sed -e 's/^url(//' -e 's/)$//' -e "s/[\"']//g" | sort -u)
    return "$missing"
}

# --- dkfds --------------------------------------------------------------------
fetch dkfds "$DKFDS_VERSION" "$DKFDS_INTEGRITY"
src="$WORK/src/dkfds/package/dist"
out="$STAGE/dkfds"
# dist/css ships dkfds.min.css (neutral default theme) plus the portal themes
# dkfds-borgerdk.min.css and dkfds-virkdk.min.css; the site uses the default.
copy_without_sourcemap "$src/css/dkfds.min.css" "$out/css/dkfds.min.css"
copy_without_sourcemap "$src/js/dkfds.min.js" "$out/js/dkfds.min.js"
# Icons: individual SVGs (used by the CSS) and the symbol sprite (<use href>).
mkdir -p "$out/img"
cp -R "$src/img/svg-icons" "$out/img/svg-icons"
cp "$src/img/all-svg-icons.svg" "$out/img/all-svg-icons.svg"
# Fonts and other images: exactly what dkfds.min.css references (the CSS uses
# ../fonts/IBMPlexSans/complete/<format>/... and ../img/...), with the font
# licence next to each font format directory.
while IFS= read -r ref; do
    rel="${ref#../}"
    [ -f "$src/$rel" ] || { echo "error: dkfds CSS references missing $ref" >&2; exit 1; }
    mkdir -p "$out/$(dirname "$rel")"
    cp "$src/$rel" "$out/$rel"
    case "$rel" in
        fonts/*) [ -f "$src/$(dirname "$rel")/license.txt" ] &&
                 cp "$src/$(dirname "$rel")/license.txt" "$out/$(dirname "$rel")/license.txt" ;;
    esac
done < <(grep -o 'url([^)]*)' "$out/css/dkfds.min.css" \
           | sed -e 's/^url(//' -e 's/)$//' -e "s/[\"']//g" -e 's/[?#].*$//' \
           | grep -E '^\.\./(fonts|img)/' | grep -v '^\.\./img/svg-icons/' | sort -u)
cp "$WORK/src/dkfds/package/LICENSE.md" "$out/LICENSE.md"
check_css_urls "$out/css/dkfds.min.css"

# --- Leaflet ------------------------------------------------------------------
fetch leaflet "$LEAFLET_VERSION" "$LEAFLET_INTEGRITY"
src="$WORK/src/leaflet/package"
out="$STAGE/leaflet"
copy_without_sourcemap "$src/dist/leaflet.js" "$out/leaflet.js"
cp "$src/dist/leaflet.css" "$out/leaflet.css"
cp -R "$src/dist/images" "$out/images"
cp "$src/LICENSE" "$out/LICENSE"
check_css_urls "$out/leaflet.css"

# --- axe-core (tests only) ----------------------------------------------------
fetch axe-core "$AXE_VERSION" "$AXE_INTEGRITY"
src="$WORK/src/axe-core/package"
out="$STAGE/axe"
cp "$src/axe.min.js" "$out/axe.min.js"
cp "$src/LICENSE" "$out/axe-core.LICENSE"
[ -f "$src/LICENSE-3RD-PARTY.txt" ] && cp "$src/LICENSE-3RD-PARTY.txt" "$out/axe-core.LICENSE-3RD-PARTY.txt"

# --- Install into the tree (only after everything above succeeded) ------------
log "installing into frontend/static and tests/e2e/vendor"
rm -rf "$DKFDS_DEST" "$LEAFLET_DEST"
mkdir -p "$STATIC_DIR" "$AXE_DEST"
cp -R "$STAGE/dkfds" "$DKFDS_DEST"
cp -R "$STAGE/leaflet" "$LEAFLET_DEST"
rm -f "$AXE_DEST/axe.min.js" "$AXE_DEST"/axe-core.LICENSE*
cp "$STAGE/axe/"* "$AXE_DEST/"

# --- VENDORED.md ----------------------------------------------------------------
# list_files DIR PREFIX: one bullet per file, svg-icons summarised.
list_files() {
    local dir="$1" prefix="$2" icons
    (cd "$dir" && find . -type f ! -path './img/svg-icons/*' | sed 's@^\./@@' | LC_ALL=C sort) |
        while IFS= read -r f; do printf -- '- `%s%s`\n' "$prefix" "$f"; done
    if [ -d "$dir/img/svg-icons" ]; then
        icons="$(find "$dir/img/svg-icons" -type f -name '*.svg' | wc -l | tr -d ' ')"
        printf -- '- `%simg/svg-icons/*.svg` (%s icons)\n' "$prefix" "$icons"
    fi
}

{
    echo "# Vendored front-end assets"
    echo
    echo "Generated by \`frontend/vendor-assets.sh\` (\`make assets\`); do not edit by hand."
    echo "Files are copied unmodified from the npm package tarballs, except that"
    echo "trailing \`sourceMappingURL\` comments are removed (source maps are not vendored)."
    echo
    echo "| Package | Version | Licence | Integrity (npm) |"
    echo "| --- | --- | --- | --- |"
    echo "| dkfds | $DKFDS_VERSION | $(pkg_license "$WORK/src/dkfds/package") | \`$(cat "$WORK/src/dkfds.integrity")\` |"
    echo "| leaflet | $LEAFLET_VERSION | $(pkg_license "$WORK/src/leaflet/package") | \`$(cat "$WORK/src/leaflet.integrity")\` |"
    echo "| axe-core | $AXE_VERSION | $(pkg_license "$WORK/src/axe-core/package") | \`$(cat "$WORK/src/axe-core.integrity")\` |"
    echo
    echo "## dkfds $DKFDS_VERSION — Det Fælles Designsystem"
    echo
    echo "Licence: MIT (code and styles, © 2021 Danish Business Authority & Danish Agency"
    echo "for Digitisation); IBM Plex Sans fonts under SIL Open Font License 1.1 (© 2017 IBM"
    echo "Corp., Reserved Font Name \"Plex\"); icons under Apache License 2.0 (Material"
    echo "Symbols, Pictogrammers). Full terms: \`dkfds/LICENSE.md\` and the \`license.txt\`"
    echo "files next to the fonts."
    echo
    echo "CSS variant: \`dist/css/dkfds.min.css\`, the default (neutral) theme. The package"
    echo "also ships \`dkfds-borgerdk.min.css\` and \`dkfds-virkdk.min.css\` (portal themes"
    echo "with borger.dk / Virk logos and colours), which are not vendored. Fonts and images"
    echo "are limited to the files the CSS references (\`../fonts/IBMPlexSans/complete/...\`,"
    echo "\`../img/...\`), so its relative paths keep working."
    echo
    echo "Copied from \`dist/\` (and \`LICENSE.md\` from the package root) to \`frontend/static/dkfds/\`:"
    echo
    list_files "$DKFDS_DEST" "dkfds/"
    echo
    echo "## leaflet $LEAFLET_VERSION"
    echo
    echo "Licence: BSD-2-Clause (© 2010-2023 Volodymyr Agafonkin, © 2010-2011 CloudMade);"
    echo "full text in \`leaflet/LICENSE\`."
    echo
    echo "Copied from \`dist/\` (and \`LICENSE\`) to \`frontend/static/leaflet/\`:"
    echo
    list_files "$LEAFLET_DEST" "leaflet/"
    echo
    echo "## axe-core $AXE_VERSION (browser tests only, not served by the site)"
    echo
    echo "Licence: MPL-2.0; full text in \`tests/e2e/vendor/axe-core.LICENSE\`, third-party"
    echo "notices in \`tests/e2e/vendor/axe-core.LICENSE-3RD-PARTY.txt\`."
    echo
    echo "Copied to \`tests/e2e/vendor/\`:"
    echo
    (cd "$AXE_DEST" && for f in axe.min.js axe-core.LICENSE*; do
        [ -f "$f" ] && printf -- '- `tests/e2e/vendor/%s`\n' "$f"; done)
} >"$MANIFEST"

log "done"
du -sh "$DKFDS_DEST" "$LEAFLET_DEST" "$AXE_DEST" >&2
