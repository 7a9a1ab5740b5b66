# fish completion for kq-consume

function __kq_consume_topics
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

# Operands: topics (TOPIC or TOPIC:PARTITION).
complete -c kq-consume -f -a '(__kq_consume_topics)' -d 'Topic'
# General options
complete -c kq-consume -s d -l dir -r -a '(__fish_complete_directories)' -d 'Log directory'
complete -c kq-consume -s b -l brokers -x -d 'Kafka cluster HOST:PORT,...'
complete -c kq-consume -s X -l property -x -d 'librdkafka property KEY=VALUE for -b'
complete -c kq-consume -s q -l quiet -d 'Print only errors'
complete -c kq-consume -s v -l verbose -d 'Print more detail'
complete -c kq-consume -s h -l help -d 'Print help'
complete -c kq-consume -l version -d 'Print the version'
# Reading
complete -c kq-consume -s t -l topic -x -a '(__kq_consume_topics)' -d 'Topic to read'
complete -c kq-consume -s o -l offset -x -a 'beginning\t"the log start (default)"
end\t"only records written from now on"
stored\t"the group\'s committed offset"
-10\t"the last 10 records of each partition (any -N)"
@-1h\t"records from an hour ago on (@T1:T2 for a range)"
@-1d\t"records from a day ago on"
s@\t"from the first record at or after epoch ms (s@MS)"
e@\t"stop before the first record at or after epoch ms (e@MS)"' -d 'Where to start'
complete -c kq-consume -s c -l count -x -d 'Stop after N records'
complete -c kq-consume -s e -l exit -d 'Exit at the end of the log (default)'
complete -c kq-consume -s F -l follow -d 'Keep following new records'
complete -c kq-consume -s G -l group -x -d 'Consume as a member of GROUP'
complete -c kq-consume -l ordered -d 'Interleave partitions by timestamp'
complete -c kq-consume -l poll-ms -x -d 'Fallback re-check interval with -F'
# Output
complete -c kq-consume -s f -l format -x -d 'Output format (%t %p %o %k %K %s %S %T %d %h)'
complete -c kq-consume -s K -l key-delimiter -x -d 'Print key DELIM value'
complete -c kq-consume -s D -l delimiter -x -d 'Record delimiter'
complete -c kq-consume -s J -l json -d 'Print JSON lines'
complete -c kq-consume -s s -l serdes -x -a 'avro json key=avro key=json value=avro value=json' -d 'Decode keys/values in the schema wire format'
# Running a command per batch
complete -c kq-consume -l exec -x -d 'Run CMD once per batch, commit after it exits 0'
complete -c kq-consume -l batch-records -x -d 'With --exec: records per batch'
complete -c kq-consume -l batch-bytes -x -d 'With --exec: bytes per batch'
complete -c kq-consume -l batch-ms -x -d 'With --exec: the longest a batch waits'
complete -c kq-consume -l retries -x -d 'With --exec: runs of a failed batch'
complete -c kq-consume -l retry-backoff-ms -x -d 'With --exec: first wait between runs, doubling'
complete -c kq-consume -l dead-letter -x -d 'With --exec: topic for batches that still fail'
