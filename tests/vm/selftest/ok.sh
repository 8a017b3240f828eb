# Harness self-test: a passing script, with the module loaded and unloaded.
. /tests/lib.sh
load_module
ok "debugfs dir present: $(ls $PS_DIR | wc -l) entries"
pollscope --version | grep -q pollscope || fail "pollscope --version"
unload_module
