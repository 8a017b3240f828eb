#!/bin/sh
# The message catalogues and the translated demos:
# - every .po in src/po compiles with msgfmt --check, with no untranslated
#   and no fuzzy entry;
# - the catalogue and the template hold exactly the strings the sources mark
#   with _(), N_() and P_() now (xgettext again): no entry unused, none
#   missing;
# - each demo has its Chinese narration in tests/demos/zh_CN/ with the same
#   steps: the same lines but for say lines (and comments), as many say
#   lines, each one translated (it has Chinese characters).
# usage: po.sh SOURCE_DIR
set -u
top=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
pass() { echo "ok: $*"; }
for p in msgfmt xgettext msgcat python3; do
	command -v $p >/dev/null || { echo "FAIL: $p missing (gettext: tests/setup.sh)"; exit 1; }
done

n=0
for po in "$top"/src/po/*.po; do
	n=$((n + 1))
	lang=$(basename "$po" .po)
	if ! msgfmt --check --statistics -o /dev/null "$po" 2>"$tmp/stat"; then
		cat "$tmp/stat"
		fail "$lang: msgfmt --check"
	elif grep -Eq "untranslated|fuzzy" "$tmp/stat" || ! grep -Eq "^[0-9]+ translated messages?\.$" "$tmp/stat"; then
		fail "$lang: $(cat "$tmp/stat")"
	else
		pass "$lang: $(cat "$tmp/stat")"
	fi
done
[ $n -gt 0 ] || fail "no catalogue in src/po"

(cd "$top" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 \
	--package-name=pollscope --no-location --sort-output -o "$tmp/now.pot" src/*.c ui/*.c) ||
	fail "xgettext"
# the msgids of a catalogue, one per line (escapes kept: exact comparison)
ids() {
	msgcat --no-wrap --sort-output "$1" | python3 -c '
import re, sys
cur, key = None, None
for line in sys.stdin:
    line = line.rstrip("\n")
    m = re.match(r"^(msgid|msgid_plural|msgstr(\[\d+\])?) (\".*\")$", line)
    if m:
        if m.group(1) == "msgid":
            cur, key = m.group(3)[1:-1], "msgid"
        else:
            if key == "msgid" and cur:
                print(cur)
            key = m.group(1)
    elif line.startswith("\"") and key == "msgid":
        cur += line[1:-1]
'
}
ids "$tmp/now.pot" >"$tmp/now"
[ -s "$tmp/now" ] || fail "xgettext found no string"
for f in "$top"/src/po/pollscope.pot "$top"/src/po/*.po; do
	ids "$f" >"$tmp/cat"
	if cmp -s "$tmp/now" "$tmp/cat"; then
		pass "$(basename "$f"): the $(wc -l <"$tmp/now") strings the sources mark, no other"
	else
		echo "--- unused (in $(basename "$f"), not in the sources):"
		comm -13 "$tmp/now" "$tmp/cat"
		echo "--- missing (in the sources, not in $(basename "$f")):"
		comm -23 "$tmp/now" "$tmp/cat"
		fail "$(basename "$f") is not the sources' strings (cmake --build build --target pot)"
	fi
done

n=0
for en in "$top"/tests/demos/*.pscope; do
	n=$((n + 1))
	name=$(basename "$en")
	zh="$top/tests/demos/zh_CN/$name"
	[ -f "$zh" ] || { fail "$name: no zh_CN/$name"; continue; }
	grep -Ev '^(say( |$)|#|[[:space:]]*$)' "$en" >"$tmp/en.steps"
	grep -Ev '^(say( |$)|#|[[:space:]]*$)' "$zh" >"$tmp/zh.steps"
	if ! cmp -s "$tmp/en.steps" "$tmp/zh.steps"; then
		diff "$tmp/en.steps" "$tmp/zh.steps"
		fail "$name: zh_CN's steps differ"
		continue
	fi
	# the order of steps and narration too: say lines at the same places
	grep -Ev '^(#|[[:space:]]*$)' "$en" | sed 's/^say .*/say/' >"$tmp/en.seq"
	grep -Ev '^(#|[[:space:]]*$)' "$zh" | sed 's/^say .*/say/' >"$tmp/zh.seq"
	cmp -s "$tmp/en.seq" "$tmp/zh.seq" || { fail "$name: say lines at other places"; continue; }
	untr=$(grep '^say ' "$zh" | python3 -c '
import sys
print(sum(1 for l in sys.stdin if not any("\u4e00" <= c <= "\u9fff" for c in l)))')
	if [ "$untr" != 0 ]; then
		fail "$name: $untr say lines without Chinese"
	else
		pass "$name: zh_CN has the same $(wc -l <"$tmp/en.steps") steps, $(grep -c '^say ' "$zh") say lines in Chinese"
	fi
done
[ $n -gt 0 ] || fail "no demo found"
for zh in "$top"/tests/demos/zh_CN/*.pscope; do
	[ -f "$top/tests/demos/$(basename "$zh")" ] || fail "zh_CN/$(basename "$zh") has no English demo"
done
echo "$fails failed"
[ $fails -eq 0 ]
