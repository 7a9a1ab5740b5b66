# fish completion for kq-groups

set -l __kq_groups_subs list describe reset delete

function __kq_groups_dir
    set -l dir $KQ_DIR
    test -z "$dir"; and set dir ./kq-data
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        if contains -- $tokens[$i] -d --dir
            set -l next (math $i + 1)
            test $next -le (count $tokens); and set dir $tokens[$next]
        end
    end
    echo $dir
end

function __kq_groups_names
    kq-groups -d (__kq_groups_dir) list 2>/dev/null
end

function __kq_groups_topics
    kq-topics -d (__kq_groups_dir) list 2>/dev/null
end

complete -c kq-groups -f
# General options
complete -c kq-groups -s d -l dir -r -a '(__fish_complete_directories)' -d 'Log directory'
complete -c kq-groups -s b -l brokers -x -d 'Kafka cluster HOST:PORT,...'
complete -c kq-groups -s X -l property -x -d 'librdkafka property KEY=VALUE for -b'
complete -c kq-groups -s q -l quiet -d 'Print only errors'
complete -c kq-groups -s v -l verbose -d 'Print more detail'
complete -c kq-groups -s h -l help -d 'Print help'
complete -c kq-groups -l version -d 'Print the version'
# Subcommands
complete -c kq-groups -n "not __fish_seen_subcommand_from $__kq_groups_subs" -a list -d 'Print the group names'
complete -c kq-groups -n "not __fish_seen_subcommand_from $__kq_groups_subs" -a describe -d 'Show offsets, lag and owners'
complete -c kq-groups -n "not __fish_seen_subcommand_from $__kq_groups_subs" -a reset -d 'Plan or commit new offsets'
complete -c kq-groups -n "not __fish_seen_subcommand_from $__kq_groups_subs" -a delete -d 'Delete groups and their offsets'
# Subcommand options
complete -c kq-groups -n '__fish_seen_subcommand_from list describe reset' -s j -l json -d 'Print JSON'
complete -c kq-groups -n '__fish_seen_subcommand_from reset' -l to-earliest -d 'To the log start offset'
complete -c kq-groups -n '__fish_seen_subcommand_from reset' -l to-latest -d 'To the log end offset'
complete -c kq-groups -n '__fish_seen_subcommand_from reset' -l to-offset -x -d 'To offset N'
complete -c kq-groups -n '__fish_seen_subcommand_from reset' -l to-datetime -x -d 'To the first record at or after time T'
complete -c kq-groups -n '__fish_seen_subcommand_from reset' -l shift-by -x -d 'Move the committed offset by N'
complete -c kq-groups -n '__fish_seen_subcommand_from reset' -l topic -x -a '(__kq_groups_topics)' -d 'Only this TOPIC or TOPIC:P,P'
complete -c kq-groups -n '__fish_seen_subcommand_from reset' -l execute -d 'Commit the new offsets'
complete -c kq-groups -n '__fish_seen_subcommand_from reset' -l dry-run -d 'Only show the plan'
complete -c kq-groups -n '__fish_seen_subcommand_from describe reset delete' -a '(__kq_groups_names)' -d 'Group'
