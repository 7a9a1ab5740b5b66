# fish completion for kq-schemas

set -l __kq_schemas_subs register list versions get check config delete validate

function __kq_schemas_dir
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

function __kq_schemas_subjects
    kq-schemas -d (__kq_schemas_dir) list 2>/dev/null
end

complete -c kq-schemas -f
# General options
complete -c kq-schemas -s d -l dir -r -a '(__fish_complete_directories)' -d 'Log directory'
complete -c kq-schemas -s b -l brokers -x -d 'Not supported'
complete -c kq-schemas -s X -l property -x -d 'Unused librdkafka property'
complete -c kq-schemas -s q -l quiet -d 'Print only errors'
complete -c kq-schemas -s v -l verbose -d 'Print more detail'
complete -c kq-schemas -s h -l help -d 'Print help'
complete -c kq-schemas -l version -d 'Print the version'
# Subcommands
complete -c kq-schemas -n "not __fish_seen_subcommand_from $__kq_schemas_subs" -a register -d 'Register a schema'
complete -c kq-schemas -n "not __fish_seen_subcommand_from $__kq_schemas_subs" -a list -d 'Print the subjects'
complete -c kq-schemas -n "not __fish_seen_subcommand_from $__kq_schemas_subs" -a versions -d 'Print a subject\'s versions'
complete -c kq-schemas -n "not __fish_seen_subcommand_from $__kq_schemas_subs" -a get -d 'Print a schema'
complete -c kq-schemas -n "not __fish_seen_subcommand_from $__kq_schemas_subs" -a check -d 'Check compatibility'
complete -c kq-schemas -n "not __fish_seen_subcommand_from $__kq_schemas_subs" -a config -d 'Print or set the compatibility level'
complete -c kq-schemas -n "not __fish_seen_subcommand_from $__kq_schemas_subs" -a delete -d 'Delete a subject or version'
complete -c kq-schemas -n "not __fish_seen_subcommand_from $__kq_schemas_subs" -a validate -d 'Check JSON lines against a schema'
# Subcommand options
complete -c kq-schemas -n "__fish_seen_subcommand_from $__kq_schemas_subs" -s j -l json -d 'Print JSON'
complete -c kq-schemas -n '__fish_seen_subcommand_from register check validate' -s t -l type -x -a 'avro json' -d 'Schema language'
complete -c kq-schemas -n '__fish_seen_subcommand_from list versions get' -l deleted -d 'Include soft-deleted'
complete -c kq-schemas -n '__fish_seen_subcommand_from get' -l id -x -d 'Schema id'
complete -c kq-schemas -n '__fish_seen_subcommand_from check' -l version -x -d 'Against this version'
complete -c kq-schemas -n '__fish_seen_subcommand_from config' -s c -l compatibility -x -a 'BACKWARD BACKWARD_TRANSITIVE FORWARD FORWARD_TRANSITIVE FULL FULL_TRANSITIVE NONE' -d 'Set the level'
complete -c kq-schemas -n '__fish_seen_subcommand_from delete' -l permanent -d 'Remove soft-deleted versions for good'
complete -c kq-schemas -n '__fish_seen_subcommand_from versions get check config delete register' -a '(__kq_schemas_subjects)' -d 'Subject'
complete -c kq-schemas -n '__fish_seen_subcommand_from register check validate' -F
