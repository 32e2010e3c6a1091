#!/bin/sh
# handout.sh SRC DST: write the student tree DST from the reference tree SRC.
#
# Everything is copied except build outputs; then in every file under chapters/ each region
#
#     /* BEGIN SOLUTION N.M */ ... /* END SOLUTION */
#
# is replaced by the code on the nearest "STUB:" comment line above it (indented like the BEGIN line). A region with
# no STUB line above it is an error. Afterwards the script checks that no marker and no line of solution code
# (lines of 20 characters or more that appear only inside solution regions) survives in DST.
set -eu
src=$1
dst=$2
rm -rf "$dst"
mkdir -p "$dst"
tar -C "$src" --exclude=./build --exclude=./handout --exclude=./.git --exclude='./chapter[0-9][0-9]' \
    --exclude=./grade.json --exclude=./grade.tap -cf - . | tar -C "$dst" -xf -

strip_solutions() {  # $1 in, $2 out
    awk '
        /\/\/ *STUB:/ { stub = $0; sub(/^.*\/\/ *STUB: */, "", stub) }
        /\/\* *BEGIN SOLUTION/ {
            if (stub == "") { printf("%s:%d: BEGIN SOLUTION without a STUB line above it\n", FILENAME, NR) > "/dev/stderr"; bad = 1; exit 1 }
            indent = $0; sub(/[^ \t].*$/, "", indent)
            print indent stub
            stub = ""; inside = 1; next
        }
        /\/\* *END SOLUTION *\*\// { inside = 0; next }
        !inside { print }
        END { if (inside) { print FILENAME ": BEGIN SOLUTION without END SOLUTION" > "/dev/stderr"; exit 1 } }
    ' "$1" > "$2"
}

# Lines (trimmed, >= 20 chars) that occur inside solution regions of $1 and nowhere outside them.
solution_only_lines() {
    awk '
        /\/\* *BEGIN SOLUTION/ { inside = 1; next }
        /\/\* *END SOLUTION *\*\// { inside = 0; next }
        { line = $0; gsub(/^[ \t]+|[ \t]+$/, "", line); if (length(line) < 20) next
          if (inside) sol[line] = 1; else outside[line] = 1 }
        END { for (l in sol) if (!(l in outside)) print l }
    ' "$1"
}

count=0
for f in $(grep -rl 'BEGIN SOLUTION' "$src/chapters" 2>/dev/null || true); do
    rel=${f#"$src"/}
    strip_solutions "$f" "$dst/$rel.tmp"
    mv "$dst/$rel.tmp" "$dst/$rel"
    solution_only_lines "$f" > "$dst/.solution_lines"
    if [ -s "$dst/.solution_lines" ]; then
        sed 's/^[ \t]*//; s/[ \t]*$//' "$dst/$rel" | grep -Fx -f "$dst/.solution_lines" && {
            echo "handout: solution text survived in $rel (lines above)" >&2; exit 1; }
    fi
    rm -f "$dst/.solution_lines"
    count=$((count + 1))
done
if grep -rn 'BEGIN SOLUTION\|END SOLUTION' "$dst/chapters" >&2; then
    echo "handout: solution markers survived (above)" >&2
    exit 1
fi
echo "handout: wrote $dst ($count files with exercises, solutions replaced by stubs)"
