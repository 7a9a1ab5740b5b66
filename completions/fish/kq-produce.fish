# fish completion for kq-produce

function __kq_produce_topics
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

# Operands: a topic, then files.
complete -c kq-produce -a '(__kq_produce_topics)' -d 'Topic'
# General options
complete -c kq-produce -s d -l dir -r -a '(__fish_complete_directories)' -d 'Log directory'
complete -c kq-produce -s b -l brokers -x -d 'Kafka cluster HOST:PORT,...'
complete -c kq-produce -s X -l property -x -d 'librdkafka property KEY=VALUE for -b'
complete -c kq-produce -s q -l quiet -d 'Print only errors'
complete -c kq-produce -s v -l verbose -d 'Print more detail'
complete -c kq-produce -s h -l help -d 'Print help'
complete -c kq-produce -l version -d 'Print the version'
# Input
complete -c kq-produce -s t -l topic -x -a '(__kq_produce_topics)' -d 'Topic to write to'
complete -c kq-produce -s D -l delimiter -x -d 'Record delimiter (escapes allowed)'
complete -c kq-produce -s K -l key-delimiter -x -d 'Split key and value at the first DELIM'
complete -c kq-produce -s k -l key -x -d 'Key for every record'
complete -c kq-produce -s l -l whole-file -d 'Each file is one record (kcat -P without -l)'
complete -c kq-produce -s J -l json -d 'Read JSON envelope lines'
complete -c kq-produce -l lenient -d 'With -J: warn about unknown fields instead of failing'
complete -c kq-produce -s Z -l null-empty -d 'Send an empty value as null'
complete -c kq-produce -s H -l header -x -d 'Add a header NAME=VALUE'
complete -c kq-produce -s c -l count -x -d 'Stop after N records'
complete -c kq-produce -s T -l tee -d 'Echo records to stdout'
# Writing
complete -c kq-produce -s p -l partition -x -d 'Write to partition N'
complete -c kq-produce -l partitioner -x -a 'murmur2_random murmur2 consistent consistent_random' -d 'Partitioner'
complete -c kq-produce -s z -l compression -x -a 'none gzip snappy lz4 zstd' -d 'Batch compression'
complete -c kq-produce -l batch-bytes -x -d 'Batch size in bytes'
complete -c kq-produce -l linger-ms -x -d 'Flush after MS ms without input'
complete -c kq-produce -l flush -x -a 'fsync interval: os' -d 'Flush policy'
complete -c kq-produce -l partitions -x -d 'Partitions of a created topic'
complete -c kq-produce -l no-create -d 'Fail when the topic is missing'
complete -c kq-produce -l force-internal -d 'Write to __consumer_offsets too'
complete -c kq-produce -l report -d 'Print a JSON summary at exit'
complete -c kq-produce -l value-schema -r -d 'Encode JSON values with SUBJECT[:VERSION] or a schema FILE'
complete -c kq-produce -l key-schema -r -d 'Encode JSON keys with SUBJECT[:VERSION] or a schema FILE'
complete -c kq-produce -l follow -d 'Follow FILEs as tail -F, positions stored in the topic'
complete -c kq-produce -l from-beginning -d 'With --follow: a new file starts at its beginning'
complete -c kq-produce -l from-end -d 'With --follow: a new file starts at its end'
complete -c kq-produce -l poll-ms -x -d 'With --follow: check files at least every MS ms'
