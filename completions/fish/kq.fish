# fish completion for kq, the dispatcher

function __kq_commands
    set -l self (command -s kq)
    begin
        complete -C 'kq-' | string replace -r '\t.*' ''
        if test -n "$self"
            for f in (dirname $self)/kq-*
                test -x $f; and basename $f
            end
        end
    end | string replace -r '^kq-' '' | sort -u
end

function __kq_needs_command
    test (count (commandline -opc)) -eq 1
end

complete -c kq -f
complete -c kq -n __kq_needs_command -s h -l help -d 'List the commands'
complete -c kq -n __kq_needs_command -l version -d 'Print the version'
complete -c kq -n __kq_needs_command -s L -d 'Topics and partitions, as kcat -L'
complete -c kq -n __kq_needs_command -a metadata -d 'Topics and partitions, as kcat -L'
complete -c kq -n __kq_needs_command -a help -d 'Show the help of a command'
complete -c kq -n __kq_needs_command -a '(__kq_commands)' -d 'Command'
complete -c kq -n '__fish_seen_subcommand_from help; and test (count (commandline -opc)) -eq 2' -a '(__kq_commands)' -d 'Command'
# Everything after the command completes as kq-COMMAND would.
# (An empty list inside a string concatenation makes the whole argument
# vanish in fish, so the command line is joined into one variable first.)
function __kq_complete_command
    set -l t (commandline -opc)
    # kq -L and kq metadata run kq-topics describe; kcat's -t names a topic.
    if contains -- $t[2] -L metadata
        if test "$t[-1]" = -t
            kq-topics list 2>/dev/null
            return
        end
        set t kq topics describe $t[3..-1]
    end
    set -l line (string join ' ' -- kq-$t[2] $t[3..-1] (commandline -ct))
    test (count (commandline -ct)) -eq 0; and set line "$line "
    complete -C "$line"
end
complete -c kq -n 'not __kq_needs_command; and not __fish_seen_subcommand_from help' -a '(__kq_complete_command)'
