#!/usr/bin/env bash
# The completions offer the right candidates when each shell is asked, and
# print no errors: bash through its completion function, zsh through a real
# TAB in a pseudo-terminal (tests/cli/zsh_complete.zsh), fish through
# `complete -C`. 0001-docs checks that they parse and name every flag; this
# checks what a user sees after pressing TAB.
src=${KQ_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/helpers.sh"

kq-topics create jobs >/dev/null 2>&1
kq-topics -d "$KQ_TEST_TMP/other" create orders >/dev/null 2>&1

# bash_complete WORD...: the candidates bash's completion offers for the
# words (the last one is being completed), split at "=" as bash does.
bash_complete() {
  bash --norc --noprofile -c '
    cmd=$1; shift
    # What bash-completion does for a command it has no completion for yet.
    _completion_loader() { source "$src/completions/bash/$1"; }
    source "$src/completions/bash/$cmd" || exit 1
    fn=$(complete -p "$cmd" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
    COMP_WORDS=("$cmd" "$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
    "$fn" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}

# expect_offers SHELL "LINE" EXPECTED...: each EXPECTED is among $OUT's lines
# and the shell printed nothing on stderr.
expect_offers() {
  local sh=$1 line=$2; shift 2
  [ -z "$ERR" ] || fail "$sh printed errors completing [$line]: $ERR"
  local want
  for want in "$@"; do
    grep -qxF -- "$want" <<<"$OUT" || fail "$sh does not offer [$want] for [$line]; offered: [$OUT]"
  done
}
expect_not_offered() {
  local sh=$1 line=$2 not=$3
  ! grep -qxF -- "$not" <<<"$OUT" || fail "$sh offers [$not] for [$line]"
}

export src
# bash: topics from $KQ_DIR, from -d DIR, --dir DIR, --dir=DIR (split at "="
# as bash's COMP_WORDBREAKS does, and whole) and -dDIR.
run bash_complete kq-consume ''
expect_offers bash "kq-consume " jobs
for words in "-d $KQ_TEST_TMP/other" "--dir $KQ_TEST_TMP/other" "--dir = $KQ_TEST_TMP/other" \
             "--dir=$KQ_TEST_TMP/other" "-d$KQ_TEST_TMP/other"; do
  # shellcheck disable=SC2086
  run bash_complete kq-consume $words ''
  expect_offers bash "kq-consume $words " orders
  expect_not_offered bash "kq-consume $words " jobs
done
run bash_complete kq-produce --dir = "$KQ_TEST_TMP/other" ''
expect_offers bash "kq-produce --dir=..." orders
run bash_complete kq-consume -o ''
expect_offers bash "kq-consume -o " beginning end stored -10 @-1h s@ e@
run bash_complete kq consume -d "$KQ_TEST_TMP/other" ''
expect_offers bash "kq consume -d DIR " orders
run bash_complete kq ''
expect_offers bash "kq " consume produce topics groups compact help
# kcat's -L: kq -L and kq metadata complete as kq-topics describe, and
# kcat's -t TOPIC offers the topics.
expect_offers bash "kq " -L metadata
run bash_complete kq -L -t ''
expect_offers bash "kq -L -t " jobs
run bash_complete kq metadata ''
expect_offers bash "kq metadata " jobs
run bash_complete kq metadata --j
expect_offers bash "kq metadata --j" --json

# zsh: a real TAB in an interactive shell.
if command -v zsh >/dev/null; then
  zc() { zsh -f "$src/tests/cli/zsh_complete.zsh" "$src/completions/zsh" "$1"; }
  run zc 'kq '
  expect_offers zsh "kq " consume produce topics groups compact help
  run zc 'kq top'
  expect_offers zsh "kq top" topics
  run zc 'kq met'
  expect_offers zsh "kq met" metadata
  run zc 'kq -L -t '
  expect_offers zsh "kq -L -t " jobs
  run zc 'kq metadata '
  expect_offers zsh "kq metadata " jobs
  run zc 'kq-consume -o '
  expect_offers zsh "kq-consume -o " beginning end stored -10 @-1h
  run zc 'kq-consume '
  expect_offers zsh "kq-consume " jobs
  run zc "kq-consume -d $KQ_TEST_TMP/other "
  expect_offers zsh "kq-consume -d DIR " orders
else
  echo "skip: zsh is not installed"
fi

# fish: complete -C, through the dispatcher too.
if command -v fish >/dev/null; then
  fc() {
    fish --no-config -c "set fish_complete_path $src/completions/fish \$fish_complete_path
                         complete -C \"$1\"" | cut -f1
  }
  run fc 'kq '
  expect_offers fish "kq " consume produce topics
  run fc 'kq met'
  expect_offers fish "kq met" metadata
  run fc 'kq -L -t '
  expect_offers fish "kq -L -t " jobs
  run fc 'kq metadata '
  expect_offers fish "kq metadata " jobs
  run fc 'kq consume j'
  expect_offers fish "kq consume j" jobs
  run fc 'kq consume '
  expect_offers fish "kq consume " jobs
  run fc 'kq-consume -o '
  expect_offers fish "kq-consume -o " beginning end stored -10 @-1h
  run fc "kq-consume -d $KQ_TEST_TMP/other "
  expect_offers fish "kq-consume -d DIR " orders
else
  echo "skip: fish is not installed"
fi
echo "ok"
