# fish completion for kq-sql

function __kq_sql_topics
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

complete -c kq-sql -f
complete -c kq-sql -s d -l dir -r -F -d 'Log directory'
complete -c kq-sql -s b -l brokers -r -d 'Kafka cluster (not supported)'
complete -c kq-sql -s X -l property -x -d 'librdkafka property KEY=VALUE (unused)'
complete -c kq-sql -s q -l quiet -d 'Print only errors'
complete -c kq-sql -s v -l verbose -d 'Print more detail'
complete -c kq-sql -s h -l help -d 'Print help'
complete -c kq-sql -l version -d 'Print the version'
complete -c kq-sql -l table -x -a '(__kq_sql_topics)' -d 'Read TOPIC as a table (latest value per key)'
complete -c kq-sql -s F -l follow -d 'Push query: keep running as records arrive'
complete -c kq-sql -l poll-ms -x -d 'With --follow, look for records every MS ms'
complete -c kq-sql -l timeout -x -a '500ms 10s 30s 1m 5m' -d 'Stop the query after DURATION'
complete -c kq-sql -l stats -d 'Print rows, bytes read and scan bounds on stderr'
complete -c kq-sql -l csv -d 'Print CSV'
complete -c kq-sql -l tsv -d 'Print tab-separated values'
complete -c kq-sql -s J -l json -d 'Print JSON lines'
complete -c kq-sql -l aligned -d 'Print aligned columns'
complete -c kq-sql -s N -l no-header -d 'Leave out the header line'
