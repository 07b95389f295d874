#!/bin/sh
# doc_example.sh DOC NVMFSIM: runs the command docs/fuzzing.md shows for
# fuzz/replay/hang-io-read-dropped.json, word for word, in the current
# directory (a scratch one: it writes fuzz/replay/ there), and passes its
# output and exit status through; exits 3 when the document no longer
# shows the command or the command wrote no replay file.
doc=$1
nvmfsim=$2
file=fuzz/replay/hang-io-read-dropped.json
line=$(grep -m1 -- "^nvmfsim fuzz .*--replay-out $file\$" "$doc")
if [ -z "$line" ]; then
	echo "doc_example.sh: $doc shows no 'nvmfsim fuzz ... --replay-out $file' line" >&2
	exit 3
fi
mkdir -p fuzz/replay && rm -f "$file" || exit 4
set -f
# shellcheck disable=SC2086 # the documented words, split as a shell would
set -- $line
shift
echo "running: $line" >&2
"$nvmfsim" "$@"
rc=$?
if [ ! -s "$file" ]; then
	echo "doc_example.sh: the documented command wrote no $file" >&2
	rc=3
fi
exit $rc
