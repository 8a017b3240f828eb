#!/bin/sh
# The TUI in Chinese (LANG=zh_CN.UTF-8) on the host, on recorded debugfs
# files and host eventfds, at 160x48 (panes side by side) and 80x24
# (stacked): the translated texts show, and no column is misaligned. Wide
# characters take two columns, so a header or a name padded by bytes would
# shift every column after it. The same screens under LANG=C are the
# reference: the panes' rows must stay where they are in English, each
# header field must start (or, right-aligned, end) where its English one
# does, and every field of every row must start (end) under its header.
# Display columns are counted here with Python's unicodedata (East Asian
# Width), not with the libc the tool uses. A comm of the recorded queues is
# made Chinese (6 columns) and one too long for the narrow comm column (14
# columns, cut to 9) to check names too.
# usage: host-tui-zh.sh POLLSCOPE DATA_DIR
set -u
ps=$1
data=$2
session=zh
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "python3 missing"; exit 1; }
command -v localedef >/dev/null || { echo "localedef missing (libc-bin)"; exit 1; }
# the zh_CN.UTF-8 locale, made here (a fresh machine need not have it)
mkdir -p "$tmp/loc"
if ! localedef -i zh_CN -f UTF-8 "$tmp/loc/zh_CN.UTF-8" >"$tmp/localedef.log" 2>&1 &&
	[ ! -f "$tmp/loc/zh_CN.UTF-8/LC_CTYPE" ]; then
	cat "$tmp/localedef.log"
	echo "FAIL: cannot make the zh_CN.UTF-8 locale (package locales, tests/setup.sh)"
	exit 1
fi
# line mode: messages, --help, and a demo's narration chosen by the locale
zh() { env LOCPATH="$tmp/loc" LANG=zh_CN.UTF-8 "$ps" "$@"; }
cp -r "$data/basic" "$tmp/l"
zh --debugfs "$tmp/l" -c 'wkae' 2>"$tmp/err"
if grep -qx -- "-c:1: 未知命令 'wkae'（您是指 'wake' 吗？）" "$tmp/err"; then pass "an error in Chinese"; else
	fail "error: $(cat "$tmp/err")"; fi
LANG=C "$ps" --debugfs "$tmp/l" -c 'wkae' 2>"$tmp/err"
if grep -qx -- "-c:1: unknown command 'wkae' (did you mean 'wake'?)" "$tmp/err"; then
	pass "the same error in English under LANG=C"
else
	fail "LANG=C error: $(cat "$tmp/err")"
fi
# each command's own errors: an object that exists, bad arguments and
# options, an unknown waiter, in Chinese under zh_CN and in English under C
cp -r "$data/basic" "$tmp/e"
errs() {
	# CMD, then the Chinese and the English message after "-c:1: "
	zh --debugfs "$tmp/e" -c "$1" 2>"$tmp/err"
	LANG=C "$ps" --debugfs "$tmp/e" -c "$1" 2>"$tmp/err.c"
	if grep -qxF -- "-c:1: $2" "$tmp/err" && grep -qxF -- "-c:1: $3" "$tmp/err.c"; then
		pass "'$1': its error in Chinese, and in English under LANG=C"
	else
		fail "'$1': $(cat "$tmp/err") / LANG=C: $(cat "$tmp/err.c")"
	fi
}
errs "create a" "create: 名为 'a' 的对象已存在" "create: an object named 'a' already exists"
errs "sleep abc" "sleep: 时长 'abc' 无效：应为毫秒数" "sleep: bad duration 'abc': milliseconds"
errs "wake a bogus" \
	"wake: 掩码 'bogus' 无效：未知事件 'bogus'（可用：in out pri err hup rdnorm rdband wrnorm wrband msg rdhup、none，或一个数字）" \
	"wake: bad mask 'bogus': unknown event 'bogus' (known: in out pri err hup rdnorm rdband wrnorm wrband msg rdhup, none, or a number)"
errs "spawn poll a timeout=x" "spawn: timeout=x 无效：毫秒数，>= 0 的数" \
	"spawn: bad timeout=x: milliseconds, a number >= 0"
errs "spawn poll a,a" "spawn: 对象 'a' 列出了两次" "spawn: object 'a' is listed twice"
errs "kill zz" "kill: 没有等待者 'zz'（当前没有任何等待者；用 spawn 启动一个）" \
	"kill: no waiter 'zz' (there are no waiters; start one with spawn)"
errs "show nosuch" "show: 没有名为 'nosuch' 的对象（现有对象： a b）" \
	"show: no object named 'nosuch' (objects: a b)"
# what scripts parse stays English: show why's explanations
zh --debugfs "$tmp/e" -c "show a why" >"$tmp/out" 2>&1
if grep -q "why: queued by __pollwait from poll/select; pollwake checks the key" "$tmp/out"; then
	pass "show why stays English under zh_CN"
else
	fail "show why under zh_CN: $(head -n 4 "$tmp/out")"
fi
if zh --help | head -n 1 | grep -q "^用法：pollscope" && zh --help | grep -q "^  -c, --command CMDS   执行 CMDS"; then
	pass "--help in Chinese"
else
	fail "--help: $(zh --help | head -n 3)"
fi
POLLSCOPE_DEMO_DIR="$data/../demos" zh --debugfs "$tmp/l" -f 05 >"$tmp/out" 2>&1
if grep -q "^演示 5：pollwake 中的键过滤$" "$tmp/out" && ! grep -q "^Demo 5" "$tmp/out"; then
	pass "demo 05 narrated in Chinese under zh_CN"
else
	fail "demo 05 under zh_CN: $(head -n 3 "$tmp/out")"
fi
cp -r "$data/basic" "$tmp/l2"
POLLSCOPE_DEMO_DIR="$data/../demos" LANG=C "$ps" --debugfs "$tmp/l2" -f 05 >"$tmp/out" 2>&1
if grep -q "^Demo 5: key filtering in pollwake$" "$tmp/out"; then
	pass "demo 05 in English under LANG=C"
else
	fail "demo 05 under LANG=C: $(head -n 3 "$tmp/out")"
fi

sed -i -e 's/comm=cat/comm=猫猫读/' -e 's/pid=94 comm=waiter/pid=94 comm=等待者进程甲乙/' "$tmp/d/queues"
cp -r "$data/basic" "$tmp/c"

# run LANG COLS ROWS SESSION DIR: the TUI with two objects' waiters
run() {
	t kill-session -t "$4" 2>/dev/null
	t -u -f /dev/null new-session -d -s "$4" -x "$2" -y "$3" \
		"env LOCPATH='$tmp/loc' LANG=$1 LC_ALL=$1 '$ps' --debugfs '$5'; echo TUI-EXITED rc=\$?; sleep 60"
	sleep 1
	t send-keys -t "$4" ":create e eventfd; create f eventfd; spawn poll e as=p; spawn epoll f count=2 as=x; settle" Enter
}

for size in 160x48 80x24; do
	cols=${size%x*}
	rows=${size#*x}
	run zh_CN.UTF-8 "$cols" "$rows" zh "$tmp/d"
	run C.UTF-8 "$cols" "$rows" c "$tmp/c"
	# the screens once the three waiters sleep (the status line says settled)
	wait_screen "进程：3 个等待者，3 个存活" zh || fail "$size: zh: no 3 waiters"
	wait_screen "Processes: 3 waiters, 3 alive" c || fail "$size: C: no 3 waiters"
	sleep 2 # highlights of what just changed end after 1.5 s
	cap zh
	cp "$screen" "$tmp/zh.$size"
	cap c
	cp "$screen" "$tmp/c.$size"
	for s in "等待队列：" "进程：" "时间线" "?:帮助" "位 类型" "标签" "上次结果" "（睡眠中）"; do
		if grep -qF -- "$s" "$tmp/zh.$size"; then
			pass "$size: shows $s"
		else
			screen="$tmp/zh.$size" fail "$size: no '$s'"
		fi
	done
	if grep -q "猫猫读" "$tmp/zh.$size"; then pass "$size: a Chinese comm shows"; else
		screen="$tmp/zh.$size" fail "$size: no Chinese comm"; fi
	# the footer fits its row: its last key (q) is there
	if tail -n 1 "$tmp/zh.$size" | grep -q "q:退出"; then pass "$size: the footer fits"; else
		screen="$tmp/zh.$size" fail "$size: the footer lost q:退出"; fi
	if python3 - "$tmp/c.$size" "$tmp/zh.$size" "$cols" <<'EOF'; then
import re, sys, unicodedata

def cells(line):
    """The line as screen cells: a wide character, then '' for its 2nd cell."""
    out = []
    for ch in line:
        if unicodedata.combining(ch):
            continue
        out.append(ch)
        if unicodedata.east_asian_width(ch) in ('W', 'F'):
            out.append('')
    return out

def fields(c, lo, hi):
    """(start, end, text) of each run of non-blank cells in [lo, hi)."""
    res, i = [], lo
    hi = min(hi, len(c))
    while i < hi:
        if c[i] in (' ', '│', '|'):
            i += 1
            continue
        j = i
        while j < hi and c[j] not in (' ', '│', '|'):
            j += 1
        res.append((i, j, ''.join(c[i:j])))
        i = j
    return res

# header fields: English words that make one field; right-aligned fields
JOIN = {('wake', 'function'), ('last', 'result')}
RIGHT = {'pos', 'pid'}

def header_fields(c, lo, hi):
    f = fields(c, lo, hi)
    out = []
    for x in f:
        if out and (out[-1][2], x[2]) in JOIN:
            out[-1] = (out[-1][0], x[1], out[-1][2] + ' ' + x[2])
        else:
            out.append(x)
    return out

cpath, zpath, width = sys.argv[1], sys.argv[2], int(sys.argv[3])
C = [cells(l.rstrip('\n')) for l in open(cpath, encoding='utf-8')]
Z = [cells(l.rstrip('\n')) for l in open(zpath, encoding='utf-8')]
bad = []
checked = {'headers': 0, 'rows': 0}

def text(c):
    return ''.join(c)

# pane regions: (header row, first row, end row, lo col, hi col)
regions = []
for y, line in enumerate(C):
    t = text(line)
    for word, name in (('pos kind', 'queue'), ('pid label', 'procs')):
        at = t.find(word)
        if at < 0:
            continue
        # the pane's columns: from the header's line start or the separator
        lo = 0 if name == 'queue' else (t.rfind('│', 0, at) + 1 if '│' in t[:at] else 0)
        hi = len(line)
        if name == 'queue' and '│' in t:
            hi = t.index('│')
        end = y + 1
        while end < len(C) and not text(C[end])[lo:hi].lstrip().startswith('─') \
                and end < len(C) - 3:
            end += 1
        regions.append((name, y, end, lo, hi))
if len(regions) != 2:
    print('FAIL: the English screen has', len(regions), 'pane headers, not 2')
    sys.exit(1)

for name, y, end, lo, hi in regions:
    ch = header_fields(C[y], lo, hi)
    zh = fields(Z[y], lo, hi)
    checked['headers'] += 1
    if len(ch) != len(zh):
        bad.append('%s header: %d fields in Chinese, %d in English: %r / %r' %
                   (name, len(zh), len(ch), text(Z[y]), text(C[y])))
        continue
    for (cs, ce, ct), (zs, ze, zt) in zip(ch, zh):
        if not (ze == ce if ct in RIGHT else zs == cs):
            bad.append('%s header: %r at columns %d-%d, English %r at %d-%d' %
                       (name, zt, zs, ze, ct, cs, ce))
    # every row under it: its fields start (end) where the header's do
    last = ch[-1][0]  # the last field takes the rest of the row
    for r in range(y + 1, end):
        for scr, hdr, lang in ((Z, zh, 'zh'), (C, ch, 'C')):
            row = scr[r]
            f = fields(row, lo, hi)
            if not f or not f[0][2][0].isdigit():
                continue  # an object's line, a message, an empty row
            cols = [x for x in f if x[0] < last] + [x for x in f if x[0] >= last][:1]
            if len(cols) != len(hdr):
                bad.append('%s row %d (%s): %d fields, header %d: %r' %
                           (name, r, lang, len(cols), len(hdr), text(row)[lo:hi]))
                continue
            checked['rows'] += 1
            for (hs, he, ht), (fs, fe, ft), (cs, ce, ct) in zip(hdr, cols, ch):
                ok = fe == he if ct in RIGHT else fs == hs
                if not ok:
                    bad.append('%s row %d (%s): %r at column %d-%d, its header %r at %d-%d' %
                               (name, r, lang, ft, fs, fe, ht, hs, he))
        # English and Chinese rows alike, but for what is translated: a
        # result in the last column and a Chinese comm (checked above)
        stop = last if name == 'procs' else hi
        # (the waiters' pids differ from run to run)
        zr, cr = (re.sub(' *[0-9]+', '#', text(x[r][lo:stop])) for x in (Z, C))
        if zr != cr and '猫' not in zr and '等待者' not in zr:
            bad.append('%s row %d differs: %r / %r' % (name, r, zr, cr))
for b in bad:
    print('  ' + b)
print('checked %d headers, %d rows' % (checked['headers'], checked['rows']))
if checked['rows'] < 8:
    print('FAIL: too few rows checked')
    sys.exit(1)
sys.exit(1 if bad else 0)
EOF
		pass "$size: headers and rows line up, in Chinese as in English"
	else
		echo "--- Chinese:"
		cat "$tmp/zh.$size"
		echo "--- English:"
		cat "$tmp/c.$size"
		fail "$size: misaligned columns"
	fi
done

# the help overlay, a wrapped Chinese banner line, and the narrow footer
t send-keys -t zh "?"
check "help in Chinese" "pollscope 帮助" zh
check "help lists the keys" "窗格中的按键" zh
t send-keys -t zh q
check "help closed" "等待队列" zh
t send-keys -t zh ":wkae" Enter
check "an error in Chinese in the status line" "未知命令 'wkae'（您是指 'wake' 吗？）" zh
# a demo's long Chinese narration in the banner at 80x24: wrapped by display
# columns (full rows, no character lost or cut), the pause's prompt in Chinese
long="两者都醒了，但它们存在竞争：如果读者在 poll 调用者再次调用 poll 方法之前取走了数据，poll 调用者什么也找不到，又回去睡眠（虚假唤醒）；否则它带着 in 返回。"
printf 'say %s\npause\n' "$long" >"$tmp/long.pscope"
t kill-session -t zh
t -u -f /dev/null new-session -d -s zh -x 80 -y 24 \
	"env LOCPATH='$tmp/loc' LANG=zh_CN.UTF-8 '$ps' --debugfs '$tmp/d' --demo '$tmp/long.pscope'; sleep 60"
check "the pause's prompt in Chinese" "\\[Space/Enter：继续，q：停止\\]" zh
cap zh
if python3 - "$screen" "$long" <<'EOF2'; then
import sys, unicodedata
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
text = sys.argv[2]
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
# the banner: the rows just above the status line (the prompt)
at = max(i for i, l in enumerate(lines) if '继续，q：停止' in l)
rows = []
i = at - 1
while i >= 0 and lines[i].strip() and lines[i].strip() in text:
    rows.insert(0, lines[i].strip())
    i -= 1
print('banner rows:', [w(r) for r in rows])
ok = len(rows) >= 2 and ''.join(rows).replace(' ', '') == text.replace(' ', '')
# every row but the last filled to (nearly) the 79 columns of the banner
ok = ok and all(w(r) >= 72 for r in rows[:-1])
sys.exit(0 if ok else 1)
EOF2
	pass "the Chinese banner wraps by columns, nothing lost"
else
	fail "the Chinese banner"
fi
# the details of an entry explain it in Chinese (show why stays English)
cp -r "$data/basic" "$tmp/x"
t kill-session -t zh
t -u -f /dev/null new-session -d -s zh -x 160 -y 48 \
	"env LOCPATH='$tmp/loc' LANG=zh_CN.UTF-8 '$ps' --debugfs '$tmp/x'; sleep 60"
wait_screen "等待队列" zh
t send-keys -t zh Down
t send-keys -t zh Enter
check "details: the entry explained in Chinese" "由 poll/select 中的 __pollwait 加入；pollwake 检查键" zh
# its first line names the object (ncurses' diff from the panes' Chinese
# headers to this view left "a" unwritten: the line read only "对象")
check "details: the entry's object named" "^ 对象 +a\$" zh
echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
