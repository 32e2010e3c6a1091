#!/bin/sh
# grade_report.sh REPORT.tsv OUTDIR: total the graded exercises and write OUTDIR/grade.json and OUTDIR/grade.tap.
#
# REPORT.tsv has one line per exercise, written by the exercise suites (tests/grading.h):
#   chapter <TAB> id <TAB> points <TAB> earned <TAB> title <TAB> hint <TAB> message
set -eu
tsv=$1
out=$2
if [ ! -s "$tsv" ]; then
    echo "grade: no exercises were graded" >&2
    echo "Total: 0/0 points, 0 of 0 exercises pass"
    printf '{"total": 0, "earned": 0, "exercises": []}\n' > "$out/grade.json"
    printf 'TAP version 13\n1..0\n' > "$out/grade.tap"
    exit 0
fi
awk -F '\t' -v json="$out/grade.json.tmp" -v tap="$out/grade.tap.tmp" '
    function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
    {
        n++; total += $3; earned += $4
        line[n] = sprintf("    {\"chapter\": \"%s\", \"id\": \"%s\", \"title\": \"%s\", \"points\": %d, \"earned\": %d, " \
                          "\"passed\": %s, \"hint\": \"%s\", \"message\": \"%s\"}",
                          esc($1), esc($2), esc($5), $3, $4, ($4 == $3 ? "true" : "false"), esc($6), esc($7))
        tapl[n] = sprintf("%s %d - %s %s %s (%d/%d points)", ($4 == $3 ? "ok" : "not ok"), n, $1, $2, $5, $4, $3)
        if ($4 != $3) tapl[n] = tapl[n] sprintf("\n  ---\n  hint: \"%s\"\n  message: \"%s\"\n  ...", esc($6), esc($7))
        passed += ($4 == $3)
    }
    END {
        printf("{\n  \"earned\": %d,\n  \"total\": %d,\n  \"exercises\": [\n", earned, total) > json
        for (i = 1; i <= n; i++) printf("%s%s\n", line[i], i < n ? "," : "") > json
        printf("  ]\n}\n") > json
        printf("TAP version 13\n1..%d\n", n) > tap
        for (i = 1; i <= n; i++) print tapl[i] > tap
        printf("\nTotal: %d/%d points, %d of %d exercises pass\n", earned, total, passed, n)
    }
' "$tsv"
mv "$out/grade.json.tmp" "$out/grade.json"
mv "$out/grade.tap.tmp" "$out/grade.tap"
echo "wrote $out/grade.json and $out/grade.tap"
