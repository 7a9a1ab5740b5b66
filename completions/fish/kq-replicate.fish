# fish completion for kq-replicate

set -l subs send receive
complete -c kq-replicate -n "not __fish_seen_subcommand_from $subs" -a 'send' -d 'Write a replication stream to stdout'
complete -c kq-replicate -n "not __fish_seen_subcommand_from $subs" -a 'receive' -d 'Apply a replication stream from stdin'
complete -c kq-replicate -s q -l quiet -d 'Print only errors'
complete -c kq-replicate -s v -l verbose -d 'Print more detail'
complete -c kq-replicate -s h -l help -d 'Print help'
complete -c kq-replicate -n "not __fish_seen_subcommand_from $subs" -l version -d 'Print the version'
complete -c kq-replicate -n "not __fish_seen_subcommand_from receive" -s t -l topic -x -d 'Only topics matching GLOB'
complete -c kq-replicate -n "not __fish_seen_subcommand_from $subs" -s f -l follow -d 'Keep syncing as the source grows'
complete -c kq-replicate -n "not __fish_seen_subcommand_from $subs" -l status-file -r -F -d 'JSON status file (with --follow)'
complete -c kq-replicate -n "not __fish_seen_subcommand_from $subs" -l replica-id -x -d 'Broker id for a kafka:// source'
complete -c kq-replicate -n "not __fish_seen_subcommand_from send" -s j -l json -d 'Summary as JSON'
complete -c kq-replicate -n "__fish_seen_subcommand_from send" -l since-state -r -F -d 'Send only what the receiver lacks'
complete -c kq-replicate -n "__fish_seen_subcommand_from receive" -l print-state -d 'Print where DIR stands and exit'
