# fish completion for kq-pipe

function __kq_pipe_topics
    set -l dir $KQ_DIR
    test -z "$dir"; and set dir ./kq-data
    kq-topics -d $dir list 2>/dev/null
end

complete -c kq-pipe -f -a '(__kq_pipe_topics)'
complete -c kq-pipe -s d -l dir -r -d 'Log directory'
complete -c kq-pipe -s b -l brokers -x -d 'Kafka cluster (not supported by kq-pipe)'
complete -c kq-pipe -s X -l property -x -d 'librdkafka property for -b'
complete -c kq-pipe -s q -l quiet -d 'Print only errors'
complete -c kq-pipe -s v -l verbose -d 'Print more detail'
complete -c kq-pipe -s h -l help -d 'Show help'
complete -c kq-pipe -l version -d 'Show the version'
complete -c kq-pipe -l map -d 'CMD answers one line per input line'
complete -c kq-pipe -s K -l key-delimiter -x -d 'Without --map: split output lines into key and value'
complete -c kq-pipe -l batch-records -x -d 'Records per round (per CMD run without --map)'
complete -c kq-pipe -l timeout -x -d 'Fail when CMD does not answer or end within MS ms'
complete -c kq-pipe -s G -l group -x -d 'Share the input partitions with a group'
complete -c kq-pipe -s F -l follow -d 'Keep waiting for new records'
complete -c kq-pipe -l partitions -x -d 'Partitions of OUT when created'
complete -c kq-pipe -l flush -x -a 'fsync interval: os' -d 'Flush policy'
