# Demo stage (sourced by scripts/demo after the index stage; also runnable alone): generates a small
# demo "phone dump" of benign photos — some in the demo index under TEST labels, resized / mirrored /
# rotated / re-encoded copies of those, unknown photos, non-image files, a zip — and scans it in
# kiosk mode, printing the verdict a kiosk officer would see.
set -euo pipefail
: "${HASHTRIAGE_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/release/hashtriage}"
: "${HASHTRIAGE_TESTDATA:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/testdata}"
: "${DEMO_DIR:=$(pwd)/demo-out}"

demo_scan() {
  local td="$HASHTRIAGE_TESTDATA" dump="$DEMO_DIR/phone-dump" index="$DEMO_DIR/index/hashtriage-index"
  if [ ! -d "$index" ]; then
    echo "(scan stage: no demo index at $index; run scripts/demo)"
    return 0
  fi
  rm -rf "$dump"
  mkdir -p "$dump/DCIM/Camera" "$dump/WhatsApp/Media" "$dump/Download" "$dump/Android/data"
  echo "== Scan 1. A generated demo phone dump (benign photos; some labelled 'known' in the demo index)"
  # Exact copies of indexed photos.
  cp "$td/photos/gnome-faces/astronaut.jpg" "$dump/DCIM/Camera/IMG_20260101_101010.jpg"
  cp "$td/photos/gnome-faces/penguin.jpg" "$dump/WhatsApp/Media/IMG-20260102-WA0001.jpg"
  # Altered copies: resized, mirrored, rotated, recompressed — different bytes, found by PDQ.
  convert "$td/photos/gnome-faces/bicycle.jpg" -resize 300% -quality 80 "$dump/DCIM/Camera/IMG_20260103_120000.jpg"
  convert "$td/photos/gnome-faces/coffee2.jpg" -flop "$dump/WhatsApp/Media/IMG-20260104-WA0002.jpg"
  convert "$td/photos/skimage/chelsea.png" -rotate 270 -quality 70 "$dump/Download/image(1).jpg"
  # Unknown photos and ordinary files.
  for f in kitchen route66 wooden-house; do convert "$td/photos/scratch/$f.jpg" -resize 200% "$dump/DCIM/Camera/$f.jpg"; done
  cp "$td/photos/opencv/fruits.jpg" "$dump/DCIM/Camera/IMG_20260105_090000.jpg"
  printf 'shopping: milk, bread\n' > "$dump/Download/notes.txt"
  head -c 200000 /dev/urandom > "$dump/Android/data/cache.bin"
  (cd "$dump/Download" && zip -q holiday.zip notes.txt && cp "$td/photos/gnome-faces/dice.jpg" . && zip -q holiday.zip dice.jpg && rm dice.jpg)
  find "$dump" -type f | wc -l | xargs echo "files in the dump:"

  echo "== Scan 2. Kiosk mode (exit status 10 = known material found)"
  local case_dir="$DEMO_DIR/case"
  "$HASHTRIAGE_BIN" scan --kiosk --case "$case_dir" --index "$index" "$dump" || [ $? = 10 ]

  echo "== Scan 3. What the examiner sees: the hits with provenance (hashes and metadata only)"
  "$HASHTRIAGE_BIN" export files --case "$case_dir" --hits-only | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    for h in r["hits"]:
        near = ", distance %d (%s)" % (h["distance"], h["orientation"]) if h["kind"] == "pdq" else ""
        print("  %s: %s match in set %s as category %s%s" % (r["path"], h["kind"], h["set"], h["category"], near))
'
  echo "== Scan 4. Running the same scan again is a no-op"
  { "$HASHTRIAGE_BIN" scan --case "$case_dir" --index "$index" "$dump" || [ $? = 10 ]; } | head -1
  "$HASHTRIAGE_BIN" audit verify --case "$case_dir"
}

demo_scan
