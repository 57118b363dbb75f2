#!/usr/bin/env bash
# Downloads the pretrained embeddings the original configs use into ./data:
#   data/glove/glove.6B.100d.txt.gz
#   data/elmo/<size>_{options.json,weights.hdf5} for the original, medium and small ELMo.
# Needs a network. Every file is checked against script/data_files.sha256; a file whose
# published checksum is not listed there is checked against the one recorded at its first
# download (data/SHA256SUMS.local), so a later corrupted or changed copy is still caught.
# The corpora (OntoNotes 5.0 / CoNLL-2012, CoNLL-2003, ACE 2005) are licensed: see README.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${HMTL_DATA_DIR:-$root/data}"
known="$root/script/data_files.sha256"
local_sums="$data/SHA256SUMS.local"
base="https://s3-us-west-2.amazonaws.com/allennlp"

say() { printf '==> %s\n' "$*"; }
die() { printf 'data_setup.sh: error: %s\n' "$1" >&2; exit "${2:-1}"; }

command -v curl >/dev/null 2>&1 || die "curl is needed to download the embeddings"
mkdir -p "$data/glove" "$data/elmo"
touch "$local_sums"

# target path (relative to data/) and its source URL
files=(
  "glove/glove.6B.100d.txt.gz|$base/datasets/glove/glove.6B.100d.txt.gz"
)
for size in 2x4096_512_2048cnn_2xhighway 2x2048_256_2048cnn_1xhighway 2x1024_128_2048cnn_1xhighway; do
  files+=("elmo/${size}_options.json|$base/models/elmo/$size/elmo_${size}_options.json")
  files+=("elmo/${size}_weights.hdf5|$base/models/elmo/$size/elmo_${size}_weights.hdf5")
done

missing=0
for entry in "${files[@]}"; do [ -s "$data/${entry%%|*}" ] || missing=1; done
first_url="${files[0]#*|}"
if [ "$missing" = 1 ] && ! curl -sfIL --max-time 20 "$first_url" >/dev/null 2>&1; then
  die "no network access to $first_url. Download the files listed in script/data_setup.sh by hand into $data (same names), then run this script again to verify them." 3
fi

expected_sum() {  # prints the expected sha256 of $1 (relative path), or nothing
  { grep -h " $1\$" "$known" "$local_sums" 2>/dev/null || true; } | head -n 1 | cut -d' ' -f1
}

for entry in "${files[@]}"; do
  rel="${entry%%|*}"; url="${entry#*|}"; target="$data/$rel"
  if [ ! -s "$target" ]; then
    say "downloading $url"
    curl -fL --retry 3 --max-time 3600 -o "$target.part" "$url" || die "download failed: $url"
    mv "$target.part" "$target"
  fi
  actual="$(sha256sum "$target" | cut -d' ' -f1)"
  wanted="$(expected_sum "$rel")"
  if [ -z "$wanted" ]; then
    echo "$actual $rel" >> "$local_sums"
    say "$rel: recorded sha256 $actual (no published checksum listed; later runs verify against it)"
  elif [ "$actual" != "$wanted" ]; then
    die "$rel: sha256 $actual does not match the expected $wanted; delete the file and run again"
  else
    say "$rel: checksum ok"
  fi
done
say "embeddings ready in $data"
