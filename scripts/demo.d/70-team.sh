# Demo stage, team mode (sourced by `scripts/demo --team` after the other stages; also runnable alone
# with DEMO_TEAM=1): a throwaway PostgreSQL on a free loopback port (tests/postgres/test-server), the
# demo case moved into it (`case export`, digest-verified), demo accounts with roles, the queue read from
# PostgreSQL while an intake writes to it, and the case moved back out byte-for-byte. The server is
# stopped at the end. (`serve` and its browser UI are not built yet: see README, "Team mode".)
#   DEMO_TEAM=1 scripts/demo.d/70-team.sh   (uses HASHTRIAGE_BIN, DEMO_DIR when set)
set -euo pipefail
: "${HASHTRIAGE_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/release/hashtriage}"
: "${DEMO_DIR:=$(pwd)/demo-out}"

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
  "${ht[@]}" user add station-kiosk-1 --role station --by admin --case "$db" | sed 's/\(hts_[0-9a-f]\{8\}\)[0-9a-f]*/\1... (shown once)/'
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

  echo "== Team 4. The case moved back out of PostgreSQL: its exports read the same"
  "${ht[@]}" case import --from "$db" --case "$DEMO_DIR/case-from-team"
  if cmp -s <("${ht[@]}" export files --case "$db") <("${ht[@]}" export files --case "$DEMO_DIR/case-from-team"); then
    echo "export files: identical"
  else
    echo "export files: DIFFERENT" && return 1
  fi
  "$root/tests/postgres/test-server" stop "$server"
  trap - EXIT
}

demo_team
