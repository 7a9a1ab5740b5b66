# fish completion for kq-compact

function __kq_compact_topics
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

complete -c kq-compact -f -a '(__kq_compact_topics)'
complete -c kq-compact -s d -l dir -r -F -d 'Log directory'
complete -c kq-compact -s b -l brokers -r -d 'Kafka cluster (not supported)'
complete -c kq-compact -s X -l property -x -d 'librdkafka property KEY=VALUE for -b'
complete -c kq-compact -s q -l quiet -d 'Print only errors'
complete -c kq-compact -s v -l verbose -d 'Print more detail'
complete -c kq-compact -s h -l help -d 'Print help'
complete -c kq-compact -l version -d 'Print the version'
complete -c kq-compact -s n -l dry-run -d 'Print what cleaning would remove'
complete -c kq-compact -l dump -d 'Print segments and batches'
complete -c kq-compact -l print-data -d 'With --dump: print keys and values'
complete -c kq-compact -l verify -d 'Check framing, CRCs, offsets and indexes'
complete -c kq-compact -l repair -d 'Rebuild indexes, truncate a torn tail'
complete -c kq-compact -l truncate-corrupt -d 'With --repair: cut at the first corrupt batch'
complete -c kq-compact -s j -l json -d 'One JSON object per line'
complete -c kq-compact -l max-memory -r -a '16M 32M 64M 256M 1G' -d 'Memory for the key map'
