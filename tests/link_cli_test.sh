#!/usr/bin/env bash
# End to end through haven link and haven encode: FEBRL lists linked without labels, the capture
# history read by haven estimate, privacy-preserving linkage of encoded lists, and every bad input
# of the linkage issue refused with its message (exit 3, nothing written).
# Usage: link_cli_test.sh HAVEN_BINARY REPOSITORY_ROOT LINKAGE_DATA_DIR
set -uo pipefail
haven=$1 root=$2 data=$3
work=$(mktemp -d)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
passed=0 failed=0
check() {  # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $name"; tail -5 "$work/err"; fi
}
check_refused() {  # check_refused NAME CODE MESSAGE COMMAND...: exit CODE, MESSAGE on stderr
  local name=$1 code=$2 message=$3; shift 3
  "$@" >"$work/out" 2>"$work/err"; local got=$?
  if [ "$got" -eq "$code" ] && grep -qF -- "$message" "$work/err"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $name (exit $got, expected $code with \"$message\")"; head -5 "$work/err"; fi
}
specs=$root/docs/linkage
febrl=$data/febrl

check "--help link" "$haven" link --help
check "--help encode" "$haven" encode --help

# Three agencies' lists drawn from FEBRL 4 (people overlapping, each agency's own typing errors).
head -1 "$febrl/dataset4a.csv" > "$work/police.csv"; sed -n 2,1501p "$febrl/dataset4a.csv" >> "$work/police.csv"
head -1 "$febrl/dataset4b.csv" > "$work/ngo.csv"; sed -n 1001,2500p "$febrl/dataset4b.csv" >> "$work/ngo.csv"
head -1 "$febrl/dataset4a.csv" > "$work/shelter.csv"; sed -n 1201,1400p "$febrl/dataset4a.csv" >> "$work/shelter.csv"
sed -n 2201,2800p "$febrl/dataset4a.csv" >> "$work/shelter.csv"

check "link three lists" "$haven" link --spec "$specs/febrl.json" "$work/police.csv" "$work/ngo.csv" "$work/shelter.csv" \
  --pairs "$work/pairs.csv" --clusters "$work/clusters.csv" --capture "$work/capture.csv" --save-model "$work/model.json"
grep -q "Chance that two random records match" "$work/out" && grep -q "given_name" "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: trained parameters not printed"; head -20 "$work/out"; }
head -1 "$work/capture.csv" | grep -qx "police,ngo,shelter,count" && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: capture header"; cat "$work/capture.csv"; }
head -1 "$work/pairs.csv" | grep -q "^list_l,id_l,list_r,id_r,match_probability,match_weight,decision,given_name_level,given_name_weight" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: pairs header"; head -2 "$work/pairs.csv"; }
# Every record is in exactly one entity.
[ "$(tail -n +2 "$work/clusters.csv" | wc -l)" -eq 3800 ] && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: clusters hold $(tail -n +2 "$work/clusters.csv" | wc -l) records, expected 3800"; }
check "haven estimate reads the capture history" "$haven" estimate "$work/capture.csv" --json --no-sensitivity
grep -q '"total"' "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: estimate output"; }
check "estimate with a bootstrap over the linkage" "$haven" link --spec "$specs/febrl.json" "$work/police.csv" "$work/ngo.csv" \
  "$work/shelter.csv" --estimate 40 --seed 3 --pairs "$work/epairs3.csv" --clusters "$work/eclusters3.csv"
grep -q "Over the linkage and the counts (40 replicates, seed 3): 95% percentile interval" "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --estimate"; tail -5 "$work/out"; }
grep -E "^(Population estimate|Over the linkage)" "$work/out" > "$work/link_interval"

# haven estimate --pairs: the same bootstrap from the files, the same seed giving the same interval.
check "estimate from the pairs and records files" "$haven" estimate --pairs "$work/epairs3.csv" \
  --records "$work/eclusters3.csv" --bootstrap 40 --seed 3 --no-sensitivity
grep -E "^(Population estimate|Over the linkage)" "$work/out" > "$work/estimate_interval"
[ "$(wc -l < "$work/link_interval")" -eq 2 ] && cmp -s "$work/link_interval" "$work/estimate_interval" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: haven link --estimate and haven estimate --pairs differ"; \
  cat "$work/link_interval" "$work/estimate_interval"; }
check "estimate --pairs with another seed" "$haven" estimate --pairs "$work/epairs3.csv" \
  --records "$work/eclusters3.csv" --bootstrap 40 --seed 4 --no-sensitivity
grep -q "(40 replicates, seed 4)" "$work/out" && ! grep -qF "$(tail -1 "$work/link_interval")" "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: another seed gave the same interval"; tail -3 "$work/out"; }
check "estimate --pairs as JSON" "$haven" estimate --pairs "$work/epairs3.csv" --records "$work/eclusters3.csv" \
  --bootstrap 20 --json --no-sensitivity
grep -q '"linkage_bootstrap":{' "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --pairs --json"; }
# Bad pairs and records files: refused naming the file and line, exit 3.
cut -d, -f1-4,6- "$work/epairs3.csv" > "$work/no_probability.csv"
check_refused "pairs without match_probability" 3 'the header has no column "match_probability"' \
  "$haven" estimate --pairs "$work/no_probability.csv" --records "$work/eclusters3.csv"
printf 'list_l,id_l,list_r,id_r,dice\npolice,rec-1-org,ngo,rec-1-dup-0,0.9\n' > "$work/dice_pairs.csv"
check_refused "pairs of encoded lists" 3 "hold Dice coefficients" \
  "$haven" estimate --pairs "$work/dice_pairs.csv" --records "$work/eclusters3.csv"
linked=$(sed -n 2p "$work/epairs3.csv" | cut -d, -f1,2)
grep -vF ",$linked" "$work/eclusters3.csv" > "$work/missing_records.csv"
check_refused "a record missing from the records file" 3 "is not in the records file" \
  "$haven" estimate --pairs "$work/epairs3.csv" --records "$work/missing_records.csv"
grep -qF "line 2" "$work/err" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: line not named"; cat "$work/err"; }
awk -F, 'BEGIN { OFS = "," } NR == 3 { $5 = "1.5" } { print }' "$work/epairs3.csv" > "$work/bad_probability.csv"
check_refused "a probability above 1" 3 'match_probability "1.5" is not a probability' \
  "$haven" estimate --pairs "$work/bad_probability.csv" --records "$work/eclusters3.csv"
(cat "$work/eclusters3.csv"; sed -n 2p "$work/eclusters3.csv") > "$work/twice_records.csv"
check_refused "a record given twice" 3 "is given twice" \
  "$haven" estimate --pairs "$work/epairs3.csv" --records "$work/twice_records.csv"
check_refused "another link type than the linkage's" 3 "give --link-type as in the linkage" \
  "$haven" estimate --pairs "$work/epairs3.csv" --records "$work/eclusters3.csv" --link-type dedupe_only
check_refused "a pairs file that is not there" 1 "cannot open" \
  "$haven" estimate --pairs "$work/none.csv" --records "$work/eclusters3.csv"
"$haven" estimate --pairs "$work/epairs3.csv" >"$work/out" 2>"$work/err"
[ $? -ne 0 ] && grep -q "records" "$work/err" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --pairs without --records"; cat "$work/err"; }
check "a saved model is reused" "$haven" link --model "$work/model.json" "$work/police.csv" "$work/ngo.csv" --capture "$work/capture2.csv"
grep -q "Model from" "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --model"; }

# Bad input: columns not matching the specification, an empty list, exploding blocks, bad spec.
cut -d, -f1-3 "$work/police.csv" > "$work/narrow.csv"
check_refused "columns not matching the spec" 3 'does not have the columns "street_number"' \
  "$haven" link --spec "$specs/febrl.json" "$work/narrow.csv" "$work/ngo.csv"
head -1 "$work/police.csv" > "$work/empty.csv"
check_refused "an empty list" 3 "the list has no records" "$haven" link --spec "$specs/febrl.json" "$work/empty.csv" "$work/ngo.csv"
sed 's/"blocking": \[[^]]*\]/"blocking": ["state"], "max_block_pairs": 10000/' "$specs/febrl.json" > "$work/explode.json"
check_refused "exploding blocks" 3 'blocking rule 1 "state" makes' \
  "$haven" link --spec "$work/explode.json" "$work/police.csv" "$work/ngo.csv"
grep -qF '"nsw" (' "$work/err" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: block sizes not named"; cat "$work/err"; }
echo '{"fields": [], "blocking": []}' > "$work/bad_spec.json"
check_refused "a spec without fields" 3 "fields must be a non-empty array" \
  "$haven" link --spec "$work/bad_spec.json" "$work/police.csv" "$work/ngo.csv"
check_refused "one list for link_only" 3 "link_only needs at least two lists" "$haven" link --spec "$specs/febrl.json" "$work/police.csv"
check_refused "no spec and no model" 2 "give --spec" "$haven" link "$work/police.csv" "$work/ngo.csv"
[ ! -e "$work/never.csv" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: refused run wrote output"; }

# Privacy-preserving linkage: both agencies encode with the shared secret; the linker sees CLKs only.
# Fixed secrets, so the figures below are the same on every run (real secrets: haven keygen).
printf 'test secret shared by both agencies, 0123456789' > "$work/secret"
printf 'another secret that was never shared, 987654321' > "$work/other_secret"
check "encode police" "$haven" encode "$work/police.csv" --schema "$specs/febrl_clk_schema.json" --secret-file "$work/secret" --out "$work/police.json"
check "encode ngo" "$haven" encode "$work/ngo.csv" --schema "$specs/febrl_clk_schema.json" --secret-file "$work/secret" --out "$work/ngo.json"
! grep -qi "michaela\|neumann" "$work/police.json" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: plaintext in an encoding"; }
check "link encoded lists" "$haven" link --encoded "$work/police.json" "$work/ngo.json" --pairs "$work/epairs.csv" --capture "$work/ecapture.csv"
# FEBRL ids say who is who (rec-N-org and rec-N-dup-0 are person N): at the default Dice 0.75
# (balanced CLKs) at least 97% of the links must be right and 97% of the people on both found.
both=$(comm -12 <(cut -d, -f1 "$work/police.csv" | tail -n +2 | cut -d- -f2 | sort) \
                <(cut -d, -f1 "$work/ngo.csv" | tail -n +2 | cut -d- -f2 | sort) | wc -l)
right=$(tail -n +2 "$work/epairs.csv" | awk -F, '{split($2, a, "-"); split($4, b, "-"); if (a[2] == b[2]) n++} END {print n + 0}')
links=$(tail -n +2 "$work/epairs.csv" | wc -l)
[ $((right * 100)) -ge $((links * 97)) ] && [ $((right * 100)) -ge $((both * 97)) ] && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: $right of $links encoded links right, $both people on both lists"; }
check "encode with another secret" "$haven" encode "$work/ngo.csv" --schema "$specs/febrl_clk_schema.json" --secret-file "$work/other_secret" --out "$work/ngo_other.json"
check_refused "another secret" 3 'was encoded with another secret than list "police"' \
  "$haven" link --encoded "$work/police.json" "$work/ngo_other.json"
sed 's/"bitsPerFeature": 80/"bitsPerFeature": 81/' "$specs/febrl_clk_schema.json" > "$work/other_schema.json"
check "encode with another schema" "$haven" encode "$work/ngo.csv" --schema "$work/other_schema.json" --secret-file "$work/secret" --out "$work/ngo_schema.json"
check_refused "another schema" 3 "was encoded with another schema" "$haven" link --encoded "$work/police.json" "$work/ngo_schema.json"
head -c 5000 "$work/ngo.json" > "$work/truncated.json"
check_refused "a truncated encoding" 3 "malformed encoding" "$haven" link --encoded "$work/police.json" "$work/truncated.json"
python3 - "$work/ngo.json" "$work/tampered.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); c = d["clks"][0]; d["clks"][0] = ("B" if c[0] == "A" else "A") + c[1:]
json.dump(d, open(sys.argv[2], "w"))
PY
check_refused "a tampered CLK" 3 "a balanced CLK has exactly half" "$haven" link --encoded "$work/police.json" "$work/tampered.json"
printf 'short' > "$work/short_secret"
check_refused "a short secret" 3 "at least 16 are needed" \
  "$haven" encode "$work/ngo.csv" --schema "$specs/febrl_clk_schema.json" --secret-file "$work/short_secret" --out "$work/x.json"

# Lists drawn from Haven's own data: each organisation's victims, filtered by period and region,
# the read audited, bad requests refused (exit 3) before anything is linked.
export HAVEN_ADMIN_PASSWORD="a long admin password" HAVEN_PASSPHRASE="a long test passphrase"
check "demo data" "$haven" demo --data "$work/demo" --persons 300 --seed 7
victims() { grep "^list .* victims from" "$work/err" | awk '{ for (i = 1; i < NF; ++i) if ($(i + 1) == "victims") n += $i } END { print n + 0 }'; }
check "link the victims of two organisations" "$haven" link --spec "$specs/haven.json" --data "$work/demo" --by organisation \
  --org 1 --org 2 --pairs "$work/hpairs.csv" --clusters "$work/hclusters.csv" --capture "$work/hcapture.csv"
all=$(victims)
[ "$(grep -c "^list .* victims from" "$work/err")" -eq 2 ] && [ "$all" -gt 0 ] \
  && head -1 "$work/hcapture.csv" | grep -qx "New Dawn Delhi,Anti-Human Trafficking Unit - Jaipur,count" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: one list per organisation"; cat "$work/err" "$work/hcapture.csv"; }
[ "$(tail -n +2 "$work/hclusters.csv" | wc -l)" -eq "$all" ] && ! tail -n +2 "$work/hclusters.csv" | grep -qv ",PE-[0-9-]*$" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: records are not the victims' display codes"; head "$work/hclusters.csv"; }
check "every organisation" "$haven" link --spec "$specs/haven.json" --data "$work/demo" --org 1,2,3
[ "$(grep -c "^list .* victims from" "$work/err")" -eq 3 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --org 1,2,3"; cat "$work/err"; }
check "a period" "$haven" link --spec "$specs/haven.json" --data "$work/demo" --org 1 --org 2 --from 2025-01-01 --to 2026-12-31
period=$(victims)
[ "$period" -gt 0 ] && [ "$period" -lt "$all" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: period $period of $all"; }
check "a region" "$haven" link --spec "$specs/haven.json" --data "$work/demo" --org 1 --org 2 --region Rajasthan
region=$(victims)
[ "$region" -gt 0 ] && [ "$region" -lt "$all" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: region $region of $all"; }
"$haven" audit show --data "$work/demo" --action link_lists >"$work/out" 2>"$work/err"
[ "$(grep -c "cli:link  *link_lists" "$work/out")" -eq 4 ] && grep -q '"region":"Rajasthan"' "$work/out" \
  && grep -q '"list":"New Dawn Delhi","organisation":1,"records":' "$work/out" && ! grep -q 'given_name":"' "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: the reads are not audited"; cat "$work/out"; }
grep '"region":"Rajasthan"' "$work/out" | grep -q '"from":""' && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: audit detail"; }
# Beside a CSV list, with the same columns.
printf 'given_name,family_name,birth_date,age_estimate,sex,phone,nationality\nAsha,Kumari,2001-02-03,,female,+91 98100 00000,IN\n' > "$work/hotline.csv"
check "a CSV list beside the organisations' lists" "$haven" link --spec "$specs/haven.json" --data "$work/demo" --org 1 "$work/hotline.csv" \
  --capture "$work/hcapture2.csv"
head -1 "$work/hcapture2.csv" | grep -qx "hotline,New Dawn Delhi,count" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: CSV and Haven lists"; cat "$work/hcapture2.csv"; }
check_refused "an unknown region" 3 'no case of these organisations is in the region "Atlantis"; the regions are' \
  "$haven" link --spec "$specs/haven.json" --data "$work/demo" --org 1 --org 2 --region Atlantis --capture "$work/never.csv"
check_refused "an unknown organisation" 3 "there is no organisation 999; the organisations are 1 (New Dawn Delhi)" \
  "$haven" link --spec "$specs/haven.json" --data "$work/demo" --org 999 --capture "$work/never.csv"
check_refused "a bad date" 3 '--from must be a date, YYYY-MM-DD; got "2025-13-01"' \
  "$haven" link --spec "$specs/haven.json" --data "$work/demo" --from 2025-13-01 --capture "$work/never.csv"
check_refused "a period ending before it starts" 3 "the period ends (--to 2025-01-01) before it starts" \
  "$haven" link --spec "$specs/haven.json" --data "$work/demo" --from 2025-02-01 --to 2025-01-01 --capture "$work/never.csv"
check_refused "a column Haven's lists do not have" 3 "the lists from Haven's data have no column \"surname\"" \
  "$haven" link --spec "$specs/febrl.json" --data "$work/demo" --capture "$work/never.csv"
check_refused "no data directory" 1 "no Haven data in" \
  "$haven" link --spec "$specs/haven.json" --data "$work/nowhere" --capture "$work/never.csv"
check_refused "neither lists nor --data" 2 "give the lists to link" "$haven" link --spec "$specs/haven.json"
[ ! -e "$work/never.csv" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: refused run wrote output"; }
"$haven" audit show --data "$work/demo" --action link_lists >"$work/out" 2>"$work/err"
[ "$(grep -c "cli:link  *link_lists" "$work/out")" -eq 5 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: refused requests audited as reads"; cat "$work/out"; }
check "audit verify" "$haven" audit verify --data "$work/demo"
sed 's/"blocking": \[[^]]*\]/"blocking": ["sex"], "max_block_pairs": 10/' "$specs/haven.json" > "$work/haven_explode.json"
check_refused "an exploding block of Haven's data withholds its key" 3 "a block (key withheld)" \
  "$haven" link --spec "$work/haven_explode.json" --data "$work/demo" --org 1 --org 2 --capture "$work/never.csv"
! grep -q '"female"' "$work/err" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: a victim's value as block key"; cat "$work/err"; }

# The review queue: the uncertain band stored in a data directory, decided there by a supervisor
# over the API (by FEBRL's ids, which say who is who), and applied to the next linkage.
export HAVEN_PASSPHRASE="a long test passphrase" HAVEN_ADMIN_PASSWORD="a long admin password"
check "init a data directory" "$haven" init --data "$work/office" --org-name "Field Office" --country PH
# Names, birth date and suburb only: FEBRL's full spec is sure of nearly every pair, this one leaves
# a band of a few dozen pairs from 0.05 (most of them the same person, some not).
python3 - "$specs/febrl.json" "$work/few.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["fields"] = [f for f in spec["fields"] if f["name"] in ("given_name", "surname", "date_of_birth", "suburb")]
spec["blocking"] = ["given_name", "surname", "date_of_birth"]
json.dump(spec, open(sys.argv[2], "w"))
PY
link_two=("$haven" link --spec "$work/few.json" "$work/police.csv" "$work/ngo.csv" --review-from 0.05)
check_refused "--review-into without --org" 2 "needs the organisation's id" "${link_two[@]}" --review-into "$work/office" --run March
check_refused "--review-into an unknown organisation" 3 "there is no organisation 99" \
  "${link_two[@]}" --review-into "$work/office" --org 99 --run March
check_refused "both review options" 2 "not both" "${link_two[@]}" --review-into "$work/office" --decisions-from "$work/office" --org 1 --run March
check_refused "--review-into with lists drawn from several organisations" 2 "would carry" \
  "$haven" link --spec "$specs/haven.json" --data "$work/demo" --org 1 --review-into "$work/demo" --run March
check_refused "--run without a review option" 2 "is for --review-into or --decisions-from" "${link_two[@]}" --run March
check_refused "--decisions-from an unknown run" 3 'has no run "March"' "${link_two[@]}" --decisions-from "$work/office" --run March
check "review into" "${link_two[@]}" --review-into "$work/office" --org 1 --run March --pairs "$work/pairs_before.csv" \
  --clusters "$work/clusters_before.csv"
band=$(tail -n +2 "$work/pairs_before.csv" | awk -F, '$7 == "review"' | wc -l)
[ "$band" -ge 10 ] && grep -q "^$band pairs of the review band stored for review as run \"March\" of organisation 1" "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: $band pairs in the band, stored:"; grep "review band" "$work/out"; }
check_refused "a run name taken" 3 'already has a review run named "March"' \
  "${link_two[@]}" --review-into "$work/office" --org 1 --run March --pairs "$work/never2.csv"
[ ! -e "$work/never2.csv" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: a refused run wrote its pairs"; }
check "the import is audited" "$haven" audit show --data "$work/office" --action link_review_import
grep -q '"run":"March"' "$work/out" && ! grep -qi "michaela\|neumann" "$work/out" && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: audit of the import"; cat "$work/out"; }

"$haven" serve --data "$work/office" --listen 127.0.0.1:0 2>"$work/serve.log" &
server_pid=$!
port=""
for _ in $(seq 600); do
  port=$(sed -n 's/.*event=serving address=http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.log")
  [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
# Decides every pair by the truth: rec-N-org and rec-N-dup-0 are person N. Prints "MATCHES NON_MATCHES".
python3 - "http://127.0.0.1:$port" "$HAVEN_ADMIN_PASSWORD" "$work/decided.csv" >"$work/decided" 2>"$work/decide.err" <<'PY'
import json, sys, urllib.parse, urllib.request
base, admin_password, decided_file = sys.argv[1:4]
def call(method, path, token=None, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"null")
admin = call("POST", "/api/v1/sessions", body={"username": "admin", "password": admin_password})["token"]
call("POST", "/api/v1/users", admin, {"username": "sup", "password": "a supervisor's long password", "roles": ["supervisor"]})
token = call("POST", "/api/v1/sessions", body={"username": "sup", "password": "a supervisor's long password"})["token"]
runs = call("GET", "/api/v1/link-reviews/runs", token)["items"]
assert [r["run"] for r in runs] == ["March"] and runs[0]["pending"] == runs[0]["total"], runs
pairs, cursor = [], ""
while True:
    page = call("GET", "/api/v1/link-reviews?run=March&status=pending&limit=1000" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else ""), token)
    pairs += page["items"]
    cursor = page.get("next_cursor", "")
    if not cursor: break
matches = non_matches = 0
with open(decided_file, "w") as out:
    for pair in pairs:
        assert any("left" in c and "right" in c for c in pair["comparisons"]), pair  # the values to judge by
        same = pair["record_l"].split("-")[1] == pair["record_r"].split("-")[1]
        decision = "match" if same else "non-match"
        call("POST", "/api/v1/link-reviews/%d/%s" % (pair["id"], decision), token, {"note": "by the FEBRL ids"})
        out.write("%s,%s,%s\n" % (pair["record_l"], pair["record_r"], "match" if same else "non_match"))
        matches, non_matches = matches + same, non_matches + (not same)
print(matches, non_matches)
PY
[ $? -eq 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: deciding over the API"; cat "$work/decide.err"; }
kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""
read -r decided_matches decided_non_matches < "$work/decided"
[ $((decided_matches + decided_non_matches)) -eq "$band" ] && [ "$decided_matches" -gt 0 ] && [ "$decided_non_matches" -gt 0 ] \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: decided $decided_matches match, $decided_non_matches non-match of $band"; }

check "decisions from" "${link_two[@]}" --decisions-from "$work/office" --run March --pairs "$work/pairs_after.csv" \
  --clusters "$work/clusters_after.csv"
grep -q "Review run \"March\": $band decisions applied ($decided_matches match, $decided_non_matches non_match)" "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: decisions applied"; grep "Review run" "$work/out"; }
"$haven" audit show --data "$work/office" --action link_review_apply >"$work/out" 2>"$work/err"
grep -q "\"pairs\":$band,\"run\":\"March\"" "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: the read of the decisions is not audited"; cat "$work/out"; }
# Every pair decided match is now linked in one entity, every pair decided non-match is no longer a pair.
python3 - "$work/decided.csv" "$work/pairs_after.csv" "$work/clusters_after.csv" "$work/clusters_before.csv" <<'PY'
import csv, sys
decided = [line.strip().split(",") for line in open(sys.argv[1]) if line.strip()]
pairs = {frozenset((p["id_l"], p["id_r"])): p["decision"] for p in csv.DictReader(open(sys.argv[2]))}
entity = {row["id"]: row["entity"] for row in csv.DictReader(open(sys.argv[3]))}
before = {row["id"]: row["entity"] for row in csv.DictReader(open(sys.argv[4]))}
for left, right, decision in decided:
    key = frozenset((left, right))
    if decision == "match":
        assert pairs.get(key) == "match", (left, right, pairs.get(key))
        assert entity[left] == entity[right], (left, right)
    else:
        assert key not in pairs, (left, right)
linked_before = sum(1 for l, r, d in decided if before[l] == before[r])
linked_after = sum(1 for l, r, d in decided if entity[l] == entity[r] and d == "match")
assert linked_after > linked_before, (linked_before, linked_after)
PY
[ $? -eq 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: the decisions did not change the entities as decided"; }

echo "link CLI: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
