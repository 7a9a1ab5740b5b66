#!/usr/bin/env zsh -f
# Prints the candidates zsh's completion offers for the command line "$2",
# using the completion functions in folder $1, one candidate a line.
# Runs an interactive zsh in a pseudo-terminal, replaces compadd with a
# function that prints what it would have added, then presses TAB.
zmodload zsh/zpty || exit 2
fdir=$1 line=$2
zpty kqz zsh -f -i
zpty -w kqz "PROMPT=''; RPROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w kqz "fpath=(${(q)fdir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w kqz 'compadd() {
  if [[ ${(j: :)@} == *(-O|-A|-D)* ]]; then builtin compadd "$@"; return; fi
  local -a __kq_got
  builtin compadd -A __kq_got "$@"
  local w; for w in $__kq_got; do print -r -- "<c""and>$w"; done
}'
zpty -w kqz 'comppostfuncs=(__kq_done); __kq_done() { print -r -- "<do""ne>"; exit 0 }'
zpty -w kqz "bindkey '^I' complete-word"
zpty -n -w kqz "$line"$'\t'
local out
while zpty -r kqz out; do
  [[ $out == *'<done>'* ]] && break
  [[ $out == *'<cand>'* ]] && print -r -- "${${out##*<cand>}%%$'\r'*}"
  [[ $out == *(unrecognized|error|not found)* ]] && print -r -- "ERROR: ${out%%$'\r'*}" >&2
done
zpty -d kqz
