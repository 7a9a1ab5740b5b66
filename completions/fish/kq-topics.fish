# fish completion for kq-topics

set -l __kq_topics_subs create list describe alter delete trim offsets

function __kq_topics_names
    set -l dir $KQ_DIR
    test -z "$dir"; and set dir ./kq-data
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        if contains -- $tokens[$i] -d --dir
            set -l next (math $i + 1)
            test $next -le (count $tokens); and set dir $tokens[$next]
        end
    end
    kq-topics -d $dir list 2>/dev/null
end

set -l __kq_topics_configs cleanup.policy= retention.ms= retention.bytes= segment.bytes= segment.ms= delete.retention.ms= min.compaction.lag.ms= max.message.bytes= flush= index.interval.bytes= segment.index.bytes= min.cleanable.dirty.ratio=
set -l __kq_topics_keys (string replace = '' -- $__kq_topics_configs)

complete -c kq-topics -f
# General options
complete -c kq-topics -s d -l dir -r -a '(__fish_complete_directories)' -d 'Log directory'
complete -c kq-topics -s b -l brokers -x -d 'Kafka cluster HOST:PORT,...'
complete -c kq-topics -s X -l property -x -d 'librdkafka property KEY=VALUE for -b'
complete -c kq-topics -s q -l quiet -d 'Print only errors'
complete -c kq-topics -s v -l verbose -d 'Print more detail'
complete -c kq-topics -s h -l help -d 'Print help'
complete -c kq-topics -l version -d 'Print the version'
# Subcommands
complete -c kq-topics -n "not __fish_seen_subcommand_from $__kq_topics_subs" -a create -d 'Create topics'
complete -c kq-topics -n "not __fish_seen_subcommand_from $__kq_topics_subs" -a list -d 'Print the topic names'
complete -c kq-topics -n "not __fish_seen_subcommand_from $__kq_topics_subs" -a describe -d 'Show config and partitions'
complete -c kq-topics -n "not __fish_seen_subcommand_from $__kq_topics_subs" -a alter -d 'Change config or partitions'
complete -c kq-topics -n "not __fish_seen_subcommand_from $__kq_topics_subs" -a delete -d 'Delete topics'
complete -c kq-topics -n "not __fish_seen_subcommand_from $__kq_topics_subs" -a trim -d 'Delete records before an offset or time'
complete -c kq-topics -n "not __fish_seen_subcommand_from $__kq_topics_subs" -a offsets -d 'Earliest and latest offsets, or the offset for a time'
# Subcommand options
complete -c kq-topics -n '__fish_seen_subcommand_from create alter' -s p -l partitions -x -d 'Number of partitions'
complete -c kq-topics -n '__fish_seen_subcommand_from create alter' -s c -l config -x -a "$__kq_topics_configs" -d 'Set a topic config KEY=VALUE'
complete -c kq-topics -n '__fish_seen_subcommand_from create' -l if-not-exists -d 'An existing topic is not an error'
complete -c kq-topics -n '__fish_seen_subcommand_from alter' -l delete-config -x -a "$__kq_topics_keys" -d 'Return a config to its default'
complete -c kq-topics -n '__fish_seen_subcommand_from delete' -l if-exists -d 'A missing topic is not an error'
complete -c kq-topics -n '__fish_seen_subcommand_from delete' -l force-internal -d 'Delete __consumer_offsets too'
complete -c kq-topics -n '__fish_seen_subcommand_from trim' -l before -x -d 'Delete records below OFFSET'
complete -c kq-topics -n '__fish_seen_subcommand_from trim' -l before-time -x -d 'Delete records before time T'
complete -c kq-topics -n '__fish_seen_subcommand_from offsets' -l at -x -d 'The offset for time T'
complete -c kq-topics -n '__fish_seen_subcommand_from list describe trim offsets' -s j -l json -d 'Print JSON'
complete -c kq-topics -n '__fish_seen_subcommand_from describe alter delete trim offsets' -a '(__kq_topics_names)' -d 'Topic'
