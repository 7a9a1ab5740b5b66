#!/usr/bin/env bash
# Every built tool is documented: for each tools/kq-*/ and tools/kq/ folder
# whose program is built, the man page renders without warnings, the man page
# and the bash, zsh and fish completions mention every flag the tool lists
# with --list-flags, --help exits 0 with an Examples section, and the
# completion scripts parse. Reports every problem, then fails once.
src=${KQ_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/helpers.sh"

problems=()
problem() { problems+=("$1"); }

# The man page as plain text for flag matching: font escapes removed and
# groff's \- (and \(hy, \(en) turned back into '-'.
man_text() {
  sed -E 's/\\f(\[[^]]*\]|\(..|.)//g; s/\\-/-/g; s/\\\((hy|en|mi)/-/g; s/\\[&%]//g' "$1"
}

# True when flag $1 occurs in file $2 as a word of its own: "-d" must not
# match inside "--dir" or "-dx".
mentions() {
  grep -Eq -- "(^|[^-A-Za-z0-9_])$1([^-A-Za-z0-9_]|$)" "$2"
}

# What the bash completion function registered for TOOL puts in COMPREPLY
# after "TOOL [SUB] -", one word a line. Args: TOOL FILE [SUB].
bash_offers() {
  bash --norc --noprofile -c '
    source "$2" || exit 1
    fn=$(complete -p "$1" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
    COMP_WORDS=("$1" ${3:+"$3"} -); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
    "$fn" "$1" - "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$@" 2>/dev/null
}

# The subcommands --help lists under "Subcommands:", one a line.
subcommands() {
  sed -n '/^Subcommands:/,/^$/s/^  \([a-z][-a-z]*\) .*/\1/p' <<<"$1"
}

# fish declares flags as `-s d` / `-l dir` (or --short-option/--long-option).
fish_mentions() {
  local flag=$1 file=$2
  mentions "$flag" "$file" && return 0
  case $flag in
    --*) grep -Eq -- "(-l|--long-option)[ =]['\"]?${flag#--}([^-A-Za-z0-9_]|$)" "$file" ;;
    -?) grep -Eq -- "(-s|--short-option)[ =]['\"]?${flag#-}([^-A-Za-z0-9_]|$)" "$file" ;;
    *) grep -Eq -- "(-o|--old-option)[ =]['\"]?${flag#-}([^-A-Za-z0-9_]|$)" "$file" ;;
  esac
}

find_binary() {
  if [ -n "${KQ_BIN_DIR:-}" ] && [ -x "$KQ_BIN_DIR/$1" ]; then
    echo "$KQ_BIN_DIR/$1"
  else
    command -v "$1" || true
  fi
}

checked=0
for dir in "$src"/tools/kq-*/ "$src"/tools/kq/; do
  [ -d "$dir" ] || continue
  tool=$(basename "$dir")
  bin=$(find_binary "$tool")
  if [ -z "$bin" ]; then
    echo "skip: $tool is not built"
    continue
  fi
  checked=$((checked + 1))

  page="$src/man/$tool.1"
  if [ ! -f "$page" ]; then
    problem "$tool: man/$tool.1 is missing"
  elif command -v groff >/dev/null; then
    warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || problem "$tool: groff warns about man/$tool.1: $warnings"
  fi

  set +e
  help=$("$bin" --help 2>&1)
  rc=$?
  flags=$("$bin" --list-flags 2>/dev/null)
  flags_rc=$?
  set -e
  [ "$rc" -eq 0 ] || problem "$tool: --help exits $rc, not 0"
  case $help in
    *Examples*) ;;
    *) problem "$tool: --help has no Examples section" ;;
  esac
  if [ "$flags_rc" -ne 0 ] || [ -z "$flags" ]; then
    problem "$tool: --list-flags exits $flags_rc or prints nothing"
    flags=
  fi

  bash_comp="$src/completions/bash/$tool"
  zsh_comp="$src/completions/zsh/_$tool"
  fish_comp="$src/completions/fish/$tool.fish"
  for f in "$bash_comp" "$zsh_comp" "$fish_comp"; do
    [ -f "$f" ] || problem "$tool: ${f#"$src"/} is missing"
  done

  man_plain="$KQ_TEST_TMP/$tool.man.txt"
  [ -f "$page" ] && man_text "$page" >"$man_plain" || : >"$man_plain"
  for flag in $flags; do
    if ! [[ $flag =~ ^--?[A-Za-z0-9][-A-Za-z0-9_]*$ ]]; then
      problem "$tool: --list-flags printed an odd flag name [$flag]"
      continue
    fi
    [ -f "$page" ] && ! mentions "$flag" "$man_plain" && problem "$tool: man page does not mention $flag"
    [ -f "$bash_comp" ] && ! mentions "$flag" "$bash_comp" && problem "$tool: bash completion does not mention $flag"
    [ -f "$zsh_comp" ] && ! mentions "$flag" "$zsh_comp" && problem "$tool: zsh completion does not mention $flag"
    [ -f "$fish_comp" ] && ! fish_mentions "$flag" "$fish_comp" && problem "$tool: fish completion does not mention $flag"
  done

  if [ -f "$bash_comp" ]; then
    out=$(bash -n "$bash_comp" 2>&1) || problem "$tool: bash -n ${bash_comp#"$src"/}: $out"
  fi
  if [ -f "$zsh_comp" ] && command -v zsh >/dev/null; then
    out=$(zsh -n "$zsh_comp" 2>&1) || problem "$tool: zsh -n ${zsh_comp#"$src"/}: $out"
  fi
  if [ -f "$fish_comp" ] && command -v fish >/dev/null; then
    out=$(fish -n "$fish_comp" 2>&1) || problem "$tool: fish -n ${fish_comp#"$src"/}: $out"
  fi

  # Beyond mentioning the flags, the completions must offer them: ask each
  # shell what it completes after "TOOL -" and "TOOL --".
  # A flag of a subcommand need only be offered after that subcommand.
  subs=$(subcommands "$help")
  if [ -f "$bash_comp" ]; then
    offered=$(bash_offers "$tool" "$bash_comp"; for sub in $subs; do bash_offers "$tool" "$bash_comp" "$sub"; done)
    for flag in $flags; do
      grep -qxF -- "$flag" <<<"$offered" || problem "$tool: bash does not complete $flag"
    done
  fi
  if [ -f "$fish_comp" ] && command -v fish >/dev/null; then
    asks="complete -C '$tool -'; complete -C '$tool --'"
    for sub in $subs; do asks+="; complete -C '$tool $sub -'; complete -C '$tool $sub --'"; done
    offered=$(fish --no-config -c "source '$fish_comp'; $asks" 2>/dev/null | cut -f1)
    for flag in $flags; do
      grep -qxF -- "$flag" <<<"$offered" || problem "$tool: fish does not complete $flag"
    done
  fi
done

command -v zsh >/dev/null || echo "note: zsh is not installed; zsh completions were not parsed"
command -v fish >/dev/null || echo "note: fish is not installed; fish completions were not parsed"
[ "$checked" -gt 0 ] || fail "no built tool found (set KQ_BIN_DIR or PATH)"

if [ "${#problems[@]}" -gt 0 ]; then
  printf 'FAIL: %s\n' "${problems[@]}" >&2
  fail "${#problems[@]} documentation problem(s) in the tools above"
fi
pass
