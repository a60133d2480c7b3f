# Demo stage (sourced by scripts/demo after the index stage; also runnable alone): generates a day of
# online-monitoring referrals (provider reports as JSON Lines, a P2P monitoring CSV) for made-up people,
# some carrying hashes of photos in the demo index, ingests them into the demo case, lists the subjects
# and shows how accounts were linked. Everything is generated: no real reports, no real people.
#   scripts/demo.d/30-intake.sh   (uses HASHTRIAGE_BIN, HASHTRIAGE_TESTDATA, DEMO_DIR when set)
set -euo pipefail
: "${HASHTRIAGE_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/release/hashtriage}"
: "${HASHTRIAGE_TESTDATA:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/testdata}"
: "${DEMO_DIR:=$(pwd)/demo-out}"

demo_intake() {
  local work="$DEMO_DIR/referrals" index="$DEMO_DIR/index/hashtriage-index" case_dir="$DEMO_DIR/case"
  rm -rf "$work"
  mkdir -p "$work"
  if [ ! -d "$index" ]; then
    echo "(intake stage: no demo index at $index; referral hashes will be stored unmatched)"
  fi
  # MD5s of the photos the index stage labelled as known (test categories), so some referrals match.
  md5sum "$HASHTRIAGE_TESTDATA"/photos/gnome-faces/*.jpg | cut -c1-32 > "$work/known.md5"

  echo "== Intake 1. Generate a day of referrals: provider reports (JSON Lines) and P2P monitoring (CSV)"
  python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
rng = random.Random(20261120)
known = [l.strip() for l in open(f"{work}/known.md5") if l.strip()]
services = ["examplechat", "photoshare", "videoapp"]
people = []
for p in range(120):
    accounts = [{"service": rng.choice(services), "id": f"u{p}-{k}"} for k in range(rng.choice([1, 1, 2, 3]))]
    people.append({"email": f"person{p}@example.org", "phone": f"+447700900{p:03d}", "accounts": accounts})
nat = "100.64.20.1"  # a carrier-NAT address many people share
with open(f"{work}/day-2026-11-20.jsonl", "w") as f:
    for i in range(300):
        p = rng.randrange(len(people))
        person, acct = people[p], rng.choice(people[p]["accounts"])
        rp = {"espService": acct["service"], "espIdentifier": acct["id"], "screenName": f"nick_{acct['id']}"}
        rp["email" if rng.random() < 0.6 else "phone"] = [person["email"] if rng.random() < 0.6 else person["phone"]]
        t = f"2026-11-20T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
        ip = nat if rng.random() < 0.15 else f"198.51.100.{p}"
        files = []
        for _ in range(rng.choice([1, 2])):
            md5 = rng.choice(known) if rng.random() < 0.15 else f"{rng.getrandbits(128):032x}"
            files.append({"originalFileName": f"img{i}.jpg", "originalFileHash": [{"hashType": "MD5", "value": md5}],
                          "fileAnnotations": {"possibleSelfProduction": rng.random() < 0.01}})
        report = {"reportId": f"DEMO-{100000 + i}",
                  "incidentSummary": {"incidentType": "Apparent Child Pornography", "incidentDateTime": t,
                                      "escalateToHighPriority": rng.random() < 0.03},
                  "reportedPerson": rp,
                  "ipCaptureEvent": [{"ipAddress": ip, "eventName": "Upload", "dateTime": t, "port": 443}],
                  "files": files, "industryClassification": rng.choice(["A1", "A2", "B1", "B2"])}
        line = json.dumps(report)
        if i == 150:
            line = line[: len(line) // 2]  # one damaged record: reported with its number, the rest go on
        f.write(line + "\n")
with open(f"{work}/p2p-2026-11-20.csv", "w") as f:
    f.write("observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size\n")
    for i in range(60):
        peer = rng.randrange(12)
        md5 = rng.choice(known) if rng.random() < 0.4 else f"{rng.getrandbits(128):032x}"
        f.write(f"2026-11-20T{i % 24:02d}:{i % 60:02d}:00Z,BitTorrent,{{{peer:08X}-0000-4000-8000-00000000BEEF}},"
                f"203.0.113.{peer},6881,file{i}.jpg,{md5},,{20000 + i}\n")
PY
  wc -l "$work"/day-2026-11-20.jsonl "$work"/p2p-2026-11-20.csv

  echo "== Intake 2. Ingest the day (hashes matched against the demo index; one damaged record reported)"
  "$HASHTRIAGE_BIN" intake --case "$case_dir" --index "$index" --now 2026-11-21T07:30:00Z --by "DC Demo" \
    "$work/day-2026-11-20.jsonl" "$work/p2p-2026-11-20.csv" || echo "(exit $?: a bad record was reported above)"

  echo "== Intake 3. Re-ingesting the same files adds nothing"
  "$HASHTRIAGE_BIN" intake --case "$case_dir" --index "$index" --now 2026-11-21T07:35:00Z --by "DC Demo" \
    "$work/day-2026-11-20.jsonl" "$work/p2p-2026-11-20.csv" 2>/dev/null | tail -3 || true

  echo "== Intake 4. Subjects (people), one line each"
  "$HASHTRIAGE_BIN" subject list --case "$case_dir" | sed -n "1,15p"
  "$HASHTRIAGE_BIN" subject list --case "$case_dir" | tail -1

  local busiest
  busiest=$("$HASHTRIAGE_BIN" subject list --case "$case_dir" --json | python3 -c '
import json, sys
subjects = json.load(sys.stdin)["subjects"]
print(max(subjects, key=lambda s: (s["accounts"], s["referrals"]))["id"])')
  echo "== Intake 5. The subject with the most accounts: how they were linked, what is behind them"
  "$HASHTRIAGE_BIN" subject show "$busiest" --case "$case_dir" | sed -n '1,40p'

  echo "== Intake 6. Enrichment: a researched attribute (with source) and a refused protected attribute"
  "$HASHTRIAGE_BIN" subject attr set "$busiest" lives_with_children yes --source "council housing records" \
    --case "$case_dir" --now 2026-11-21T09:00:00Z --by "DC Demo"
  "$HASHTRIAGE_BIN" subject attr set "$busiest" religion unknown --source x --case "$case_dir" \
    --now 2026-11-21T09:01:00Z || echo "(exit $?: refused, as it must be)"
}

demo_intake
