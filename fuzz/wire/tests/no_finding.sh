#!/bin/sh
# no_finding.sh FILE CMD [ARGS...]: runs CMD (which names FILE with
# --replay-out) and passes its output and exit status through, but exits 3
# when it reported a finding ("FOUND") or wrote FILE: a run that could not
# set up has found nothing.
file=$1
shift
rm -f "$file"
err=$(mktemp) || exit 4
"$@" 2>"$err"
rc=$?
cat "$err" >&2
if grep -q FOUND "$err" || [ -e "$file" ]; then
	echo "no_finding.sh: a set-up failure was reported as a finding" >&2
	rc=3
fi
rm -f "$err" "$file"
exit $rc
