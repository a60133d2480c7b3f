# Demo stage (sourced by scripts/demo; also runnable alone): builds a known-image index from generated
# VICS JSON and PDQ sets over benign test photos labelled with TEST categories, then looks a few up.
#   scripts/demo.d/20-index.sh   (uses HASHTRIAGE_BIN, HASHTRIAGE_TESTDATA, DEMO_DIR when set)
# Nothing here is real known material: the "known" images are ordinary photos from Debian packages.
set -euo pipefail
: "${HASHTRIAGE_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/release/hashtriage}"
: "${HASHTRIAGE_TESTDATA:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/testdata}"
: "${DEMO_DIR:=$(pwd)/demo-out}"

demo_index() {
  local work="$DEMO_DIR/index" td="$HASHTRIAGE_TESTDATA"
  rm -rf "$work"
  mkdir -p "$work"
  export HASHTRIAGE_INDEX="$work/hashtriage-index"

  echo "== Index 1. A VICS 2.0 set over photos/gnome-faces, labelled with test categories 1..4 (UK map: A, B, C, non-indecent)"
  local vics="$work/test-set.vics.json" n=0 sep="" f md5 sha1 pdq cat
  {
    printf '{"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media",\n "value": [\n'
    for f in "$td"/photos/gnome-faces/*.jpg; do
      md5=$(md5sum "$f" | cut -c1-32)
      sha1=$(sha1sum "$f" | cut -c1-40)
      # PDQ from hashtriage itself (full-resolution path, same as pdq-reference-fullres.csv).
      pdq=$("$HASHTRIAGE_BIN" hash --pdq "$f" | cut -d, -f1)
      cat=$((n % 4 + 1))
      n=$((n + 1))
      printf '%s  {"MediaID": %d, "Category": %d, "MD5": "%s", "SHA1": "%s", "IsDistributed": %s, "Series": "test-series-%d",\n' \
        "$sep" "$n" "$cat" "$md5" "$sha1" "$([ $((n % 3)) = 0 ] && echo true || echo false)" "$((n % 5))"
      printf '   "MediaFiles": [{"MD5": "%s", "FileName": "%s"}], "AltHash": [{"HashName": "PDQ", "HashValue": "%s"}]}' \
        "$md5" "$(basename "$f")" "$pdq"
      sep=$',\n'
    done
    printf '\n ]\n}\n'
  } > "$vics"
  "$HASHTRIAGE_BIN" index import --set test-vics --format vics "$vics"

  echo "== Index 2. A PDQ list (hash,quality,label) over photos/skimage, as category C; one line is deliberately broken"
  local pdqlist="$work/test-set.pdq"
  awk -F, '$3 ~ /^photos\/skimage\// { print $1 "," $2 "," $3 }' "$td/pdq-reference-fullres.csv" > "$pdqlist"
  echo "not-a-hash,100,broken-line" >> "$pdqlist"
  "$HASHTRIAGE_BIN" index import --set test-pdq --format pdq --category C "$pdqlist" || echo "(exit $? : one rejected line, reported above with its line number)"

  echo "== Index 3. list and stats"
  "$HASHTRIAGE_BIN" index list
  "$HASHTRIAGE_BIN" index stats

  echo "== Index 4. Lookups (JSON; exit status 10 = known)"
  local face="$td/photos/gnome-faces/astronaut.jpg"
  "$HASHTRIAGE_BIN" index lookup --md5 "$(md5sum "$face" | cut -c1-32)" || [ $? = 10 ]
  echo "-- a rotated, enlarged, re-encoded copy: different bytes, found by PDQ (distance and orientation)"
  convert "$face" -rotate 90 -resize 150% -quality 60 "$work/altered-copy.jpg"
  "$HASHTRIAGE_BIN" index lookup --file "$work/altered-copy.jpg" || [ $? = 10 ]
  echo "-- a photo in no set"
  "$HASHTRIAGE_BIN" index lookup --file "$td/photos/opencv/baboon.jpg" && echo "(exit 0: not known)"

  echo "== Index 5. Library mode (a separate index): index build over four photos/scratch photos as TEST category B"
  local lib="$work/library" libidx="$work/library-index"
  mkdir -p "$lib"
  cp "$td"/photos/scratch/{castle,hall,forest,canyon}.jpg "$lib"/
  "$HASHTRIAGE_BIN" index build --index "$libidx" --set test-library --category B "$lib"
  echo "-- a copy with a black caption bar over its bottom 14%: found by region cells (match_kind region, cells matched)"
  local size w h
  size=$(identify -format '%w %h' "$lib/castle.jpg"); w=${size% *}; h=${size#* }
  convert "$lib/castle.jpg" -fill black -draw "rectangle 0,$((h * 86 / 100)) $w,$h" -quality 85 "$work/captioned-copy.jpg"
  "$HASHTRIAGE_BIN" index lookup --index "$libidx" --file "$work/captioned-copy.jpg" || [ $? = 10 ]
  echo "-- a copy rotated by 4 degrees on a white canvas: found by a stored rotation variant (pdq-rot...)"
  convert "$lib/hall.jpg" -background white -rotate 4 "$work/rotated-copy.jpg"
  "$HASHTRIAGE_BIN" index lookup --index "$libidx" --file "$work/rotated-copy.jpg" || [ $? = 10 ]
  unset HASHTRIAGE_INDEX
}

demo_index
