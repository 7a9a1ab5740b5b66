# fish completion for kq-serve

complete -c kq-serve -f
complete -c kq-serve -s d -l dir -r -F -d 'Log directory to serve'
complete -c kq-serve -s b -l brokers -r -d 'Not used by kq-serve'
complete -c kq-serve -s X -l property -x -d 'Not used by kq-serve'
complete -c kq-serve -s q -l quiet -d 'Log only warnings and errors'
complete -c kq-serve -s v -l verbose -d 'Log debug lines too'
complete -c kq-serve -s h -l help -d 'Print help'
complete -c kq-serve -l version -d 'Print the version'
complete -c kq-serve -l listen -x -d 'Address to listen on (HOST:PORT)'
complete -c kq-serve -l advertise -x -d 'Address clients are told to use (HOST:PORT)'
complete -c kq-serve -l config -x -a 'listeners= advertised.listeners= broker.id= log.dirs= auto.create.topics.enable= num.partitions= default.replication.factor= message.max.bytes= socket.request.max.bytes= fetch.max.bytes= connections.max.idle.ms= max.connections= queued.max.request.bytes= min.insync.replicas= replica.lag.time.max.ms= offsets.retention.minutes= group.initial.rebalance.delay.ms= group.min.session.timeout.ms= group.max.session.timeout.ms= log.retention.check.interval.ms= log.cleaner.enable=' -d 'A Kafka broker config KEY=VALUE'
complete -c kq-serve -l config-file -r -F -d 'A Kafka server.properties file'
complete -c kq-serve -l users -r -F -d 'Require SASL/PLAIN logins from a NAME:PASSWORD file'
complete -c kq-serve -l acl -r -F -d 'Allow only what the rules of a file grant'
complete -c kq-serve -l metrics -x -d 'Serve Prometheus metrics at HOST:PORT'
complete -c kq-serve -l schema-registry -x -d 'Serve the schema registry REST API at HOST:PORT'
