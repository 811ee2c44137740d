#!/usr/bin/env bash
# The XQuAD table: every mode in the four directions (DE->DE, EN->DE, EN->EN, DE->EN) and on the mixed corpus, then the
# no-answer cut-off on the off-topic questions. Run from the project root; vectors are cached
# (QA_VECTOR_CACHE), so only the first run encodes the corpus (a few minutes on 2 cores).
set -euo pipefail
X=${XQUAD:-../shared/bench/xquad}
QA=${QA:-.venv/bin/qa}
for mode in hybrid dense lexical; do
  echo "DE->DE   $mode $($QA eval --corpus $X/xquad.de.json --questions $X/xquad.de.json --mode $mode --json)"
  echo "EN->DE   $mode $($QA eval --corpus $X/xquad.de.json --questions $X/xquad.en.json --mode $mode --json)"
  echo "EN->EN   $mode $($QA eval --corpus $X/xquad.en.json --questions $X/xquad.en.json --mode $mode --json)"
  echo "DE->EN   $mode $($QA eval --corpus $X/xquad.en.json --questions $X/xquad.de.json --mode $mode --json)"
  echo "mixed DE $mode $($QA eval --corpus $X/xquad.de.json $X/xquad.en.json --questions $X/xquad.de.json --mode $mode --json)"
  echo "mixed EN $mode $($QA eval --corpus $X/xquad.de.json $X/xquad.en.json --questions $X/xquad.en.json --mode $mode --json)"
done
echo "off-topic, XQuAD corpus $($QA eval --corpus $X/xquad.de.json --offtopic bench/offtopic-xquad.txt --json)"
echo "off-topic, seed corpus  $($QA eval --corpus seeds --offtopic bench/offtopic-seeds.txt --json)"
