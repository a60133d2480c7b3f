# Demo stage (sourced by scripts/demo after the index, scan and intake stages; also runnable alone):
# referrals about four made-up people (benign test photos labelled with TEST categories in the demo
# index), research results with their sources, a human override, the daily dip-sample, a capacity
# forecast, and at the end the ranked queue of the demo case printed and exported to HTML and VICS.
#   scripts/demo.d/60-queue.sh   (uses HASHTRIAGE_BIN, HASHTRIAGE_TESTDATA, DEMO_DIR when set)
set -euo pipefail
: "${HASHTRIAGE_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/release/hashtriage}"
: "${HASHTRIAGE_TESTDATA:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/testdata}"
: "${DEMO_DIR:=$(pwd)/demo-out}"

demo_queue() {
  local td="$HASHTRIAGE_TESTDATA" work="$DEMO_DIR/queue" index="$DEMO_DIR/index/hashtriage-index"
  local ht=("$HASHTRIAGE_BIN")
  if [ ! -d "$index" ]; then
    echo "(queue stage: no demo index at $index; run scripts/demo)"
    return 0
  fi
  export HASHTRIAGE_CASE="$DEMO_DIR/case" HASHTRIAGE_INDEX="$index"
  [ -d "$HASHTRIAGE_CASE" ] || "${ht[@]}" case init >/dev/null
  rm -rf "$work"
  mkdir -p "$work"
  local faces="$td/photos/gnome-faces" now then
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  then=$(date -u -d '20 days ago' +%Y-%m-%dT%H:%M:%SZ)
  md5() { md5sum "$faces/$1" | cut -c1-32; }

  echo "== Queue 1. Referrals: peer-to-peer monitoring (one seen 20 days ago) and a provider report escalated to high priority"
  local header="observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size"
  printf '%s\n%s\n' "$header" "$then,gnutella,DEMO-GUID-OLD,192.0.2.31,6346,holiday.jpg,$(md5 coffee.jpg),,1000" \
    > "$work/p2p-old.csv"
  "${ht[@]}" intake "$work/p2p-old.csv" --now "$then" --by "analyst" | tail -1
  {
    echo "$header"
    for f in astronaut.jpg bicycle.jpg book.jpg calculator.jpg cat.jpg cat-eye.jpg; do
      echo "$now,gnutella,DEMO-GUID-COLLECTOR,192.0.2.32,6346,$f,$(md5 "$f"),,1000"
    done
    echo "$now,gnutella,DEMO-GUID-PARENT,192.0.2.33,6346,img001.jpg,$(md5 chess.jpg),,1000"
  } > "$work/p2p.csv"
  "${ht[@]}" intake "$work/p2p.csv" --now "$now" --by "analyst" | tail -1
  cat > "$work/provider-report.json" <<EOF
{"incidentSummary": {"incidentType": "Child Pornography (possession, manufacture, and distribution)",
  "incidentDateTime": "$now", "escalateToHighPriority": true},
 "reportedPerson": {"espIdentifier": "demo-esp-4711", "espService": "DemoChat", "screenName": "demo_user_4711"},
 "files": [{"originalFileName": "upload.jpg", "originalFileHash": [{"hashType": "MD5", "value": "$(md5 dice.jpg)"}]}]}
EOF
  "${ht[@]}" intake "$work/provider-report.json" --now "$now" --by "analyst" | tail -1

  local ids
  ids=$("${ht[@]}" subject list --json | python3 -c '
import json, sys
for s in json.load(sys.stdin)["subjects"]:
    print(s["name"].lower().replace("-", "").replace(" ", ""), s["id"])')
  id_of() { echo "$ids" | awk -v k="$1" 'index($1, k) { print $2; exit }'; }
  local parent collector old
  parent=$(id_of demoguidparent)
  collector=$(id_of demoguidcollector)
  old=$(id_of demoguidold)

  echo "== Queue 2. Research results, each with its source (new intelligence re-scores at once)"
  "${ht[@]}" subject attr set "$parent" lives_with_children yes --source "council tax: two children at the address" --by "DC Ash" --now "$now"
  for a in lives_with_children works_with_children other_access_to_children; do
    "${ht[@]}" subject attr set "$collector" "$a" no --source "checks: lives alone, no child contact" --by "DC Ash" --now "$now" >/dev/null
  done
  "${ht[@]}" subject attr set "$collector" prior_criminal_history yes --source "PNC" --by "DC Ash" --now "$now"

  echo "== Queue 3. Today's dip-sample of Medium/Low subjects (reproducible for the date and queue state), and a re-grade"
  "${ht[@]}" dip-sample --size 3 --now "$now"
  "${ht[@]}" review "$old" --band high --reason "dip-sample: file names suggest production" --by "DS Vale" --now "$now"
  "${ht[@]}" dip-sample --report --now "$now" | tail -1

  echo "== Queue 4. Capacity forecast for managers (2 cases/day, observed intake)"
  "${ht[@]}" forecast --capacity 2/day --days 60 --now "$now"

  echo "== Queue 5. The ranked queue of the demo case (band, deadline, score and why; * = human override)"
  "${ht[@]}" queue --now "$now"
  "${ht[@]}" export queue --format html --out "$DEMO_DIR/queue.html" --now "$now"
  "${ht[@]}" export vics --out "$DEMO_DIR/matched-media.vics.json"
  echo "open $DEMO_DIR/queue.html in a browser: one self-contained page, no images"
  unset HASHTRIAGE_CASE HASHTRIAGE_INDEX
}

demo_queue
