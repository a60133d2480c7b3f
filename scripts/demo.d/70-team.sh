# Demo stage, team mode (sourced by `scripts/demo --team` after the other stages; also runnable alone
# with DEMO_TEAM=1): a throwaway PostgreSQL on a free loopback port (tests/postgres/test-server), the
# demo case moved into it (`case export`, digest-verified), demo accounts with roles, the queue read from
# PostgreSQL while an intake writes to it, the team working through `hashtriage serve` (an investigator
# takes and reviews a subject, a colleague's stale review is refused with a conflict, the supervisor
# draws the dip-sample, a kiosk station submits a phone's records, an intake workstation a referral
# file), and the case moved back out
# byte-for-byte. Servers are stopped at the end. Stage 6 prints the address of the browser UI that `serve` gives (README "The browser UI").
#   DEMO_TEAM=1 scripts/demo.d/70-team.sh   (uses HASHTRIAGE_BIN, DEMO_DIR when set)
set -euo pipefail
: "${HASHTRIAGE_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/release/hashtriage}"
: "${DEMO_DIR:=$(pwd)/demo-out}"

# Starts `serve` on the team case (a free loopback port) in the background: sets serve_pid and serve_url,
# and stops it with the demo database on exit.
start_serve() {
  "${ht[@]}" serve --case "$db" --index "$DEMO_DIR/index/hashtriage-index" --listen 127.0.0.1:0 \
    >"$DEMO_DIR/serve.out" 2>>"$DEMO_DIR/serve-access.log" &
  serve_pid=$!
  trap 'kill $serve_pid 2>/dev/null; "$root/tests/postgres/test-server" stop "$server"' EXIT
  serve_url=""
  for _ in $(seq 100); do
    serve_url=$(sed -n 's/^hashtriage serve: listening on //p' "$DEMO_DIR/serve.out")
    [ -n "$serve_url" ] && break
    sleep 0.1
  done
}

demo_team() {
  [ "${DEMO_TEAM:-0}" = 1 ] || return 0
  local root server url db ht=("$HASHTRIAGE_BIN")
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if [ ! -d "$DEMO_DIR/case" ]; then
    echo "(team stage: no demo case at $DEMO_DIR/case; run scripts/demo --team)"
    return 0
  fi
  server="$DEMO_DIR/postgres"
  echo "== Team 1. A local PostgreSQL (loopback, throwaway); the demo case moved into it"
  "$root/tests/postgres/test-server" start "$server"
  trap '"$root/tests/postgres/test-server" stop "$server"' EXIT
  url=$(cat "$server/url")
  db="$url/hashtriage_demo"
  psql -X -q "$url/postgres" -c "CREATE DATABASE hashtriage_demo"
  "${ht[@]}" db migrate --case "$db"
  "${ht[@]}" case export --case "$DEMO_DIR/case" --to "$db"

  echo "== Team 2. Accounts: people with roles (passwords from standard input, argon2id), a station (token)"
  printf 'supervisor demo password\n' | "${ht[@]}" user add sup.jones --role supervisor --by admin --case "$db"
  printf 'investigator demo password\n' | "${ht[@]}" user add di.patel --role investigator --by admin --case "$db"
  printf 'researcher demo password\n' | "${ht[@]}" user add r.okafor --role researcher --by admin --case "$db"
  printf 'admin demo password\n' | "${ht[@]}" user add a.admin --role admin --by admin --case "$db"
  "${ht[@]}" user add station-kiosk-1 --role station --by admin --case "$db" >"$DEMO_DIR/station-add.txt"
  grep -o 'hts_[0-9a-f]*' "$DEMO_DIR/station-add.txt" >"$DEMO_DIR/station.token"
  sed 's/\(hts_[0-9a-f]\{8\}\)[0-9a-f]*/\1... (shown once; kept in station.token)/' "$DEMO_DIR/station-add.txt"
  "${ht[@]}" user list --case "$db"

  echo "== Team 3. The queue read from PostgreSQL while another process ingests into it"
  # A new day of generated provider reports about made-up people (no real reports, no real people).
  local day="$DEMO_DIR/team-day-2026-11-22.jsonl"
  python3 - "$day" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(2000):
        p = i % 400
        f.write(json.dumps({"reportId": f"TEAM-{i}", "incidentSummary": {"incidentType": "Apparent Child Pornography",
                            "incidentDateTime": "2026-11-22T06:00:00Z"},
                            "reportedPerson": {"espService": "examplechat", "espIdentifier": f"team-{p}-{i % 3}",
                                               "email": [f"team.person{p}@example.org"]},
                            "files": []}) + "\n")
PY
  "${ht[@]}" intake --case "$db" --index "$DEMO_DIR/index/hashtriage-index" --now 2026-11-22T07:30:00Z \
    --by "DC Demo" "$day" >"$DEMO_DIR/team-intake.txt" 2>&1 &
  local intake=$!
  echo "(intake of $(wc -l <"$day") referrals running as process $intake; meanwhile, from another process:)"
  "${ht[@]}" queue --case "$db" --now 2026-11-22T08:00:00Z | sed -n '1,8p'
  wait "$intake"
  echo "(the intake finished:)"
  tail -4 "$DEMO_DIR/team-intake.txt"
  "${ht[@]}" audit verify --case "$db"

  echo "== Team 4. hashtriage serve: the team works one queue over the JSON API (loopback, plain HTTP)"
  local serve_pid serve_url
  : >"$DEMO_DIR/serve-access.log"
  start_serve
  echo "serving on $serve_url"
  # A photo of the demo phone that no set knew when it was scanned: the admin's hash-set update below.
  local update_md5
  update_md5=$(md5sum "$DEMO_DIR/phone-dump/DCIM/Camera/IMG_20260105_090000.jpg" | cut -c1-32)
  python3 - "$serve_url" "$update_md5" <<'PY'
import json, sys, urllib.request, urllib.error
url, update_md5 = sys.argv[1], sys.argv[2]

class Person:
    def __init__(self, name, password):
        self.cookie, self.csrf = "", ""
        reply = self.call("POST", "/api/v1/session", {"name": name, "password": password})
        self.csrf = reply["csrf_token"]
        print(f"  {name} signed in as {reply['role']}")
    def call(self, method, path, body=None, expect=200):
        req = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode())
        req.add_header("Content-Type", "application/json")
        if self.cookie: req.add_header("Cookie", self.cookie)
        if self.csrf and method != "GET": req.add_header("X-CSRF-Token", self.csrf)
        try:
            with urllib.request.urlopen(req) as r:
                if r.headers.get("Set-Cookie"): self.cookie = r.headers["Set-Cookie"].split(";")[0]
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if status != expect: raise SystemExit(f"{method} {path}: HTTP {status}: {text}")
        return json.loads(text)

patel = Person("di.patel", "investigator demo password")
okafor = Person("r.okafor", "researcher demo password")
jones = Person("sup.jones", "supervisor demo password")
queue = patel.call("GET", "/api/v1/queue?limit=3")
print(f"  queue: {queue['total']} subjects; the top three:")
for s in queue["subjects"]:
    print(f"    {s['rank']:>3}  {s['subject']:<10} {s['band']:<10} deadline {s['deadline'][:10]}  score {s['score']}")
top = queue["subjects"][0]["subject"]
patel.call("POST", f"/api/v1/subjects/{top}/take", {})
view = patel.call("GET", f"/api/v1/subjects/{top}")
print(f"  di.patel took {top} (owner now {view['queue_entry']['owner']}); seen at version {view['version']}")
stale = view["version"]
okafor.call("POST", f"/api/v1/subjects/{top}/attributes",
            {"name": "works_with_children", "value": "yes", "source": "employer check (demo)"})
print(f"  r.okafor recorded works_with_children = yes on {top} (re-scored)")
refused = patel.call("POST", f"/api/v1/subjects/{top}/review",
                     {"outcome": "no-further-action", "reason": "demo", "version": stale}, expect=409)
print(f"  di.patel's review on the old version is refused (409): {refused['error'][:110]}...")
fresh = patel.call("GET", f"/api/v1/subjects/{top}")["version"]
done = patel.call("POST", f"/api/v1/subjects/{top}/review",
                  {"outcome": "investigate", "reason": "works with children: priority visit", "version": fresh})
print(f"  di.patel looked again and decided: {done['decision']['outcome']} (decision {done['decision']['id']})")
refused = patel.call("POST", "/api/v1/dip-sample", {}, expect=403)
print(f"  di.patel may not draw the dip-sample (403): {refused['error']}")
draw = jones.call("POST", "/api/v1/dip-sample", {"size": 3})
print(f"  sup.jones drew dip-sample {draw['key']}: {len(draw['items'])} subject(s)")
admin = Person("a.admin", "admin demo password")
before = admin.call("GET", "/api/v1/index")
print(f"  a.admin: index {before['sha256'][:16]}, {len(before['set_details'])} sets")
update = admin.call("POST", "/api/v1/index/sets", {"set": "test-update", "format": "md5sum", "category": "C",
                    "file": "test-update.md5", "content": f"{update_md5}  IMG_20260105_090000.jpg\n"}, expect=201)
print(f"  a.admin uploaded set test-update ({update['entries_added']}): index now {update['index']['sha256'][:16]}")
again = admin.call("POST", "/api/v1/rematch", {})
print(f"  a.admin re-matched the case against it: {again['hits_gained']} hit(s) gained, {again['hits_lost']} lost")
PY
  echo "-- a kiosk station scans a phone locally and submits its records (hashes and metadata, never files)"
  "${ht[@]}" case init --case "$DEMO_DIR/station-case" >/dev/null
  "${ht[@]}" scan --kiosk --case "$DEMO_DIR/station-case" --index "$DEMO_DIR/index/hashtriage-index" \
    --submit "$serve_url" --token-file "$DEMO_DIR/station.token" "$DEMO_DIR/phone-dump" \
    | grep -E "exact matches|WHAT TO DO NEXT|^submitted" || [ $? = 10 ]
  echo "-- an intake workstation submits a provider's referral file the same way (sent twice: stored once)"
  python3 - "$DEMO_DIR/station-tips.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(3):
        f.write(json.dumps({"reportId": f"STATION-{i}", "incidentSummary": {"incidentType": "Apparent Child Pornography",
                            "incidentDateTime": "2026-11-22T09:00:00Z"},
                            "reportedPerson": {"espService": "examplechat", "espIdentifier": f"station-{i}",
                                               "email": [f"station.person{i}@example.org"]},
                            "files": []}) + "\n")
PY
  for _ in 1 2; do
    "${ht[@]}" intake --submit "$serve_url" --token-file "$DEMO_DIR/station.token" "$DEMO_DIR/station-tips.jsonl" \
      | sed "s|$DEMO_DIR/||"
  done
  echo "-- the audit log names each person (last entries):"
  "${ht[@]}" audit show --case "$db" 2>/dev/null | tail -6 || true
  echo "-- the server's access log (last lines):"
  tail -4 "$DEMO_DIR/serve-access.log"
  kill "$serve_pid" && wait "$serve_pid" || true
  trap '"$root/tests/postgres/test-server" stop "$server"' EXIT

  echo "== Team 5. The case moved back out of PostgreSQL: its exports read the same"
  "${ht[@]}" case import --from "$db" --case "$DEMO_DIR/case-from-team"
  if cmp -s <("${ht[@]}" export files --case "$db") <("${ht[@]}" export files --case "$DEMO_DIR/case-from-team"); then
    echo "export files: identical"
  else
    echo "export files: DIFFERENT" && return 1
  fi

  echo "== Team 6. The browser UI"
  start_serve
  echo "The team's UI: open $serve_url/ in a browser on this machine. Demo accounts (name / password):"
  echo "  sup.jones / supervisor demo password      (queue, dip-sample, forecast, stations, exports)"
  echo "  di.patel  / investigator demo password    (queue, take, review)"
  echo "  r.okafor  / researcher demo password      (research tasks, record findings)"
  echo "  a.admin   / admin demo password           (users, index sets)"
  if [ -t 0 ] && [ -t 1 ]; then
    read -r -p "Press Enter to stop the server and the demo database. " _
  else
    echo "(not a terminal: the server stops now; run scripts/demo --team in a terminal to keep it up)"
  fi
  kill "$serve_pid" && wait "$serve_pid" || true
  trap '"$root/tests/postgres/test-server" stop "$server"' EXIT
  "$root/tests/postgres/test-server" stop "$server"
  trap - EXIT
}

demo_team
