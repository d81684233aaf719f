#!/usr/bin/env bash
# Runs bin/bsth over the bad-input families (missing, truncated, garbage, mismatched rows, NaN, wrong
# widths, bad flags, corrupt model) for train, eval, encode, search and index, and checks that each ends
# with exactly one non-empty line on stderr, exit status 2, no stack trace and no output left behind
# (neither the file asked for nor a temporary file beside it).
#
#   tools/bad_inputs.sh [WORK_DIR]      (default: a fresh temporary folder, removed at the end)
#
# Needs only bin/bsth (and coreutils); builds its inputs with bin/bsth itself. Prints one line per case
# and a summary; exits 1 when any case fails.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bsth="$root/bin/bsth"
if [ $# -ge 1 ]; then W=$1; mkdir -p "$W"; else W=$(mktemp -d); trap 'rm -rf "$W"' EXIT; fi
export BSTH_JAVA_OPTS=${BSTH_JAVA_OPTS:-"-Xmx1g"}

ok() { # a setup step that must succeed
  "$bsth" "$@" >"$W/setup.log" 2>&1 || { echo "setup failed: bsth $*"; cat "$W/setup.log"; exit 1; }
}

# ---- valid inputs
D="synthetic:train=64,db=120,query=20,image=16,text=32,classes=6,scenes=3"
ok export-data --data "$D" --out "$W/d"
ok export-data --data "synthetic:train=50,db=90,query=20,image=24,text=32,classes=6,scenes=3" --out "$W/wide"
ok train --data "$W/d" --nbit 16 --epochs 1 --epochs-pre 2 --batch 32 --threads 2 --save "$W/m.safetensors"
ok encode --model "$W/m.safetensors" --image "$W/d/I_db.npy" --text "$W/d/T_db.npy" --out "$W/db.npy"
ok encode --model "$W/m.safetensors" --image "$W/d/I_te.npy" --text "$W/d/T_te.npy" --out "$W/q.npy"
ok index create --nbit 16 --index "$W/x.bidx"
ok index add --index "$W/x.bidx" --codes "$W/db.npy"
ok search --db-codes "$W/db.npy" --queries "$W/q.npy" --k 1 --out "$W/ids20.npy"     # 20 int64 ids

# ---- damaged copies
size() { stat -c %s "$1"; }
half() { head -c $(( $(size "$1") / 2 )) "$1" >"$2"; }
garbage() { head -c "$2" /dev/urandom >"$1"; }
nan_last() { cp "$1" "$2"; printf '\x00\x00\xc0\x7f' | dd of="$2" bs=1 seek=$(( $(size "$2") - 4 )) conv=notrunc status=none; }
folder_with() { # folder_with NAME FILE SOURCE: a copy of d/ with FILE replaced by SOURCE
  rm -rf "$W/$1"; cp -r "$W/d" "$W/$1"; cp "$3" "$W/$1/$2"
}
half "$W/d/I_te.npy" "$W/I_half.npy"
half "$W/m.safetensors" "$W/m_half.safetensors"
half "$W/x.bidx" "$W/x_half.bidx"
half "$W/db.npy" "$W/db_half.npy"
garbage "$W/junk.npy" 4096
garbage "$W/junk.safetensors" 4096
garbage "$W/junk.bidx" 4096
garbage "$W/junk.mat" 4096
nan_last "$W/d/I_te.npy" "$W/I_nan.npy"
cp "$W/m.safetensors" "$W/m_flip.safetensors"   # corrupt header: the JSON length field and the first header bytes
printf '\xff\xff\xff\x7f\x00\x00\x00\x00{"x' | dd of="$W/m_flip.safetensors" bs=1 seek=0 conv=notrunc status=none
cp "$W/m.safetensors" "$W/m_body.safetensors"   # corrupt body: 64 bytes of garbage in the middle of the header JSON
head -c 64 /dev/urandom | dd of="$W/m_body.safetensors" bs=1 seek=40 conv=notrunc status=none
folder_with d_trunc I_tr.npy "$W/I_half.npy"
folder_with d_nan I_tr.npy "$W/I_nan.npy"
folder_with d_rows L_tr.npy "$W/wide/L_tr.npy"     # 50 label rows for 64 training items
folder_with d_junk T_db.npy "$W/junk.npy"
rm -rf "$W/d_missing"; cp -r "$W/d" "$W/d_missing"; rm "$W/d_missing/L_te.npy"
printf '\x93NUMPY\x01\x00v\x00{"descr": "<i8", "fortran_order": False, "shape": (3,), }' >"$W/ids_bad.npy"

# ---- the cases: NAME, then the command; every output goes under $O, which must stay empty
pass=0; fail=0
check() {
  local name=$1; shift
  O="$W/out/$name"; rm -rf "$O"; mkdir -p "$O"
  local args=() a
  for a in "$@"; do args+=("${a//@O/$O}"); done
  "$bsth" "${args[@]}" >"$W/stdout" 2>"$W/stderr"
  local rc=$? why=""
  local lines; lines=$(grep -c . "$W/stderr")
  [ "$rc" -eq 2 ] || why="exit $rc (expected 2)"
  [ "$lines" -eq 1 ] || why="$why; $lines lines on stderr"
  if grep -qE 'Exception|^\s+at |Caused by|\.java:[0-9]+' "$W/stderr"; then why="$why; a stack trace"; fi
  [ -z "$(ls -A "$O")" ] || why="$why; left behind: $(ls -A "$O" | tr '\n' ' ')"
  if [ -z "$why" ]; then
    pass=$((pass + 1)); printf 'ok    %-28s %s\n' "$name" "$(head -c 150 "$W/stderr" | head -n 1)"
  else
    fail=$((fail + 1)); printf 'FAIL  %-28s %s\n' "$name" "${why#; }"; sed 's/^/        /' "$W/stderr" | head -n 8
  fi
}
M="$W/m.safetensors"; I="$W/d/I_te.npy"; T="$W/d/T_te.npy"
TR=(--nbit 16 --epochs 1 --epochs-pre 2 --batch 32 --save @O/m.safetensors --report @O/r.json)

# missing
check train-missing-data      train --data "$W/none" "${TR[@]}"
check train-missing-array     train --data "$W/d_missing" "${TR[@]}"
check eval-missing-model      eval --model "$W/none.safetensors" --data "$W/d" --report @O/r.json
check encode-missing-image    encode --model "$M" --image "$W/none.npy" --text "$T" --out @O/c.npy
check search-missing-db       search --db-codes "$W/none.npy" --queries "$W/q.npy" --out @O/o.npy
check index-search-missing    index search --index "$W/none.bidx" --codes "$W/q.npy" --k 5 --out @O/o.npy
check index-add-missing-codes index add --index "$W/x.bidx" --codes "$W/none.npy"
# truncated
check train-truncated         train --data "$W/d_trunc" "${TR[@]}"
check eval-truncated-model    eval --model "$W/m_half.safetensors" --data "$W/d" --report @O/r.json
check encode-truncated-image  encode --model "$M" --image "$W/I_half.npy" --text "$T" --out @O/c.npy
check search-truncated-db     search --db-codes "$W/db_half.npy" --queries "$W/q.npy" --out @O/o.npy
check index-info-truncated    index info --index "$W/x_half.bidx"
check index-search-truncated  index search --index "$W/x_half.bidx" --codes "$W/q.npy" --k 5 --out @O/o.npy
# garbage
check train-garbage-npy       train --data "$W/d_junk" "${TR[@]}"
check train-garbage-mat       train --data "$W/junk.mat" "${TR[@]}"
check eval-garbage-model      eval --model "$W/junk.safetensors" --data "$W/d"
check encode-garbage-image    encode --model "$M" --image "$W/junk.npy" --text "$T" --out @O/c.npy
check search-garbage-queries  search --db-codes "$W/db.npy" --queries "$W/junk.npy" --out @O/o.npy
check index-info-garbage      index info --index "$W/junk.bidx"
check index-add-garbage-ids   index add --index "$W/x.bidx" --codes "$W/q.npy" --ids "$W/ids_bad.npy"
# mismatched rows
check train-mismatched-rows   train --data "$W/d_rows" "${TR[@]}"
check encode-mismatched-rows  encode --model "$M" --image "$I" --text "$W/d/T_db.npy" --out @O/c.npy
check index-add-mismatched    index add --index "$W/x.bidx" --codes "$W/db.npy" --ids "$W/ids20.npy"
check index-add-float-ids     index add --index "$W/x.bidx" --codes "$W/q.npy" --ids "$W/d/L_tr.npy"
check eval-bad-report-dir     eval --model "$M" --data "$W/d" --report "$W/no/such/dir/r.json"
check index-add-feat-rows     index add --index "$W/x.bidx" --model "$M" --image "$I" --text "$W/d/T_db.npy"
# NaN
check train-nan               train --data "$W/d_nan" "${TR[@]}"
check encode-nan              encode --model "$M" --image "$W/I_nan.npy" --text "$T" --out @O/c.npy
check index-add-nan           index add --index "$W/x.bidx" --model "$M" --image "$W/I_nan.npy" --text "$T"
check index-search-nan        index search --index "$W/x.bidx" --model "$M" --image "$W/I_nan.npy" --text "$T" --k 5 --out @O/o.npy
# wrong widths
check eval-wrong-width        eval --model "$M" --data "$W/wide"
check encode-wrong-width      encode --model "$M" --image "$W/wide/I_te.npy" --text "$T" --out @O/c.npy
check search-wrong-width      search --db-codes "$W/db.npy" --queries "$W/d/I_te.npy" --out @O/o.npy
check index-add-wrong-width   index add --index "$W/x.bidx" --codes "$W/d/I_te.npy"
check index-search-wide-feat  index search --index "$W/x.bidx" --model "$M" --image "$W/wide/I_te.npy" --k 5 --out @O/o.npy
# bad flags
check train-nbit-0            train --data "$W/d" --nbit 0 --save @O/m.safetensors
check train-threads-0         train --data "$W/d" --threads 0 --save @O/m.safetensors
check train-unknown-flag      train --data "$W/d" --frobnicate 3
check train-epochs-word       train --data "$W/d" --epochs many
check train-bad-dropout       train --data "$W/d" --dropout 1.5
check train-bad-save-dir      train --data "$W/d" --epochs 1 --epochs-pre 1 --save "$W/no/such/dir/m.safetensors"
check eval-bad-modality       eval --model "$M" --data "$W/d" --modality sound
check encode-no-out           encode --model "$M" --image "$I" --text "$T"
check encode-out-is-folder    encode --model "$M" --image "$I" --text "$T" --out "$W/d"
check search-k-0              search --db-codes "$W/db.npy" --queries "$W/q.npy" --k 0 --out @O/o.npy
check search-k-too-big        search --db-codes "$W/db.npy" --queries "$W/q.npy" --k 100000 --out @O/o.npy
check index-search-k-neg      index search --index "$W/x.bidx" --codes "$W/q.npy" --k -1 --out @O/o.npy
check index-create-nbit-0     index create --nbit 0 --index @O/y.bidx
check index-create-exists     index create --nbit 16 --index "$W/x.bidx"
check index-no-subcommand     index frob --index "$W/x.bidx"
check no-command              frobnicate
# corrupt model
check eval-corrupt-header     eval --model "$W/m_flip.safetensors" --data "$W/d"
check eval-corrupt-json       eval --model "$W/m_body.safetensors" --data "$W/d"
check encode-corrupt-model    encode --model "$W/m_flip.safetensors" --image "$I" --text "$T" --out @O/c.npy
check encode-truncated-model  encode --model "$W/m_half.safetensors" --image "$I" --text "$T" --out @O/c.npy
check index-add-corrupt-model index add --index "$W/x.bidx" --model "$W/m_body.safetensors" --image "$I" --text "$T"
check eval-not-a-model        eval --model "$W/d/I_te.npy" --data "$W/d"

# the index the failed adds were pointed at is unchanged
"$bsth" index info --index "$W/x.bidx" 2>/dev/null | grep -q "items: 120" || { echo "FAIL  index changed by a failed add"; fail=$((fail + 1)); }
echo "bad_inputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
