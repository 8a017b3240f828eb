# bash completion for pollscope(1)                            -*- shell-script -*-
# Installed as share/bash-completion/completions/pollscope. Completes the
# options, files for -f/--file (and '-'), demo scripts for -D/--demo (the
# installed demos by name, and *.pscope files), modules (*.ko) for
# -m/--module and directories for -d/--debugfs.

_pollscope_demos_dir="@POLLSCOPE_DATADIR@/demos"
_pollscope_recordings_dir="@POLLSCOPE_DATADIR@/recordings"

_pollscope()
{
	local cur prev opts
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	opts="-c --command -f --file -s --shell -D --demo -t --delay -a --ascii -j --json
	      -m --module -n --no-load -k --keep-module -d --debugfs -V --version -h --help
	      --record --replay --speed --export-trace --format"

	case $prev in
	-f | --file)
		COMPREPLY=($(compgen -f -- "$cur"))
		[[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
		compopt -o filenames 2>/dev/null
		return 0
		;;
	-D | --demo)
		local demos=""
		if [[ -d $_pollscope_demos_dir ]]; then
			demos=$(cd "$_pollscope_demos_dir" && for f in *.pscope; do
				[[ -e $f ]] && printf '%s\n' "${f%.pscope}"
			done)
		fi
		COMPREPLY=($(compgen -W "$demos" -- "$cur") $(compgen -f -X '!*.pscope' -- "$cur")
			$(compgen -d -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
		;;
	--replay)
		local recs=""
		if [[ -d $_pollscope_recordings_dir ]]; then
			recs=$(cd "$_pollscope_recordings_dir" && for f in *.jsonl.gz; do
				[[ -e $f ]] && printf '%s\n' "${f%.jsonl.gz}"
			done)
		fi
		COMPREPLY=($(compgen -W "$recs" -- "$cur") $(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
		;;
	--record | --export-trace)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
		;;
	--format)
		COMPREPLY=($(compgen -W "json text" -- "$cur"))
		return 0
		;;
	--speed)
		return 0
		;;
	-m | --module)
		COMPREPLY=($(compgen -f -X '!*.ko' -- "$cur") $(compgen -d -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
		;;
	-d | --debugfs)
		COMPREPLY=($(compgen -d -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
		;;
	-c | --command | -t | --delay)
		return 0
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	fi
	return 0
}
complete -F _pollscope pollscope
