// kafkajs against kq-serve, for tests/cli/0605-serve-kafkajs.sh. kafkajs is
// found through NODE_PATH (.ci/install-deps installs it into .ci/node).
//
//   serve_kafkajs.js BOOTSTRAP apiversions
//       ApiVersions v0, v1 and v2 as kafkajs sends them, each answered in full
//   serve_kafkajs.js BOOTSTRAP admin
//       the topic admin calls on topics js-admin and js-doomed, and records
//       sent with acks 0 and 1, headers and timestamps
//   serve_kafkajs.js BOOTSTRAP produce TOPIC FIRST COUNT OUT
//       an idempotent producer with acks -1 sends keys kNNNNNN and values
//       vNNNNNN, FIRST to FIRST+COUNT-1, the last batch gzip-compressed; OUT
//       gets "partition offset key value" per record, from the acknowledgements
//   serve_kafkajs.js BOOTSTRAP group TOPIC GROUP EXPECTED OUT
//       two consumers in GROUP read EXPECTED records between them, each exactly
//       once (eachMessage, auto-commit); OUT gets "partition offset key value"
//   serve_kafkajs.js BOOTSTRAP groups TOPIC GROUP TOTAL
//       listGroups, describeGroups and fetchOffsets: GROUP is empty and has
//       committed the end of every partition, TOTAL records in all; setOffsets
//       and resetOffsets; a member whose commit is below the log start
//       starts at the log start; describeGroups and deleteGroups of a missing group;
//       then deleteGroups
// Every phase fails (exit 1, "FAIL: ..." on stderr) within a bounded time.
'use strict'

const fs = require('fs')
const {
  Kafka, CompressionTypes, ConfigResourceTypes, Partitioners, logLevel,
} = require('kafkajs')

const [bootstrap, phase, ...args] = process.argv.slice(2)

function fail(msg) {
  process.stderr.write(`FAIL: ${phase}: ${msg}\n`)
  process.exit(1)
}

function check(cond, msg) {
  if (!cond) fail(msg)
}

function same(actual, expected, what) {
  const a = JSON.stringify(actual)
  const e = JSON.stringify(expected)
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`)
}

// kafkajs retries for minutes by default; a broken answer must fail fast.
const kafka = new Kafka({
  clientId: 'kq-test',
  brokers: [bootstrap],
  connectionTimeout: 3000,
  requestTimeout: 10000,
  retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  logLevel: logLevel.WARN,
  // Its log lines go to stderr: stdout is left alone.
  logCreator: () => ({ namespace, level, log }) => {
    const { message, ...extra } = log
    process.stderr.write(`kafkajs ${namespace} ${level}: ${message} ${JSON.stringify(extra)}\n`)
  },
})


const key = i => `k${String(i).padStart(6, '0')}`
const value = i => `v${String(i).padStart(6, '0')}`
const sorted = lines => lines.slice().sort()

// kafkajs' negotiation (kafkajs/src/broker): ApiVersions at the highest of
// v2, v1, v0 that does not fail with UNSUPPORTED_VERSION; then for each API
// min(its own highest version, the broker's max), without looking at the
// broker's min. Each version is sent here on a connection of its own.
async function apiVersions() {
  const Connection = require('kafkajs/src/network/connection')
  const socketFactory = require('kafkajs/src/network/socketFactory')
  const { createLogger, LEVELS } = require('kafkajs/src/loggers')
  const { requests } = require('kafkajs/src/protocol/requests')
  const apiKeys = require('kafkajs/src/protocol/requests/apiKeys')
  const [host, port] = bootstrap.split(':')
  same(requests.ApiVersions.versions, ['0', '1', '2'], 'the ApiVersions versions kafkajs sends')
  const tables = {}
  for (const version of requests.ApiVersions.versions) {
    const connection = new Connection({
      host, port: Number(port), logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} }),
      socketFactory: socketFactory(), connectionTimeout: 3000, requestTimeout: 5000, clientId: 'kq-test',
    })
    await connection.connect()
    const response = await connection.send(requests.ApiVersions.protocol({ version: Number(version) })())
    await connection.disconnect()
    same(response.errorCode, 0, `ApiVersions v${version} error`)
    check(response.apiVersions.length > 0, `ApiVersions v${version}: no API listed`)
    tables[version] = response.apiVersions
  }
  same(tables['1'], tables['0'], 'ApiVersions v1 against v0')
  same(tables['2'], tables['0'], 'ApiVersions v2 against v0')
  const table = Object.fromEntries(tables['2'].map(v => [v.apiKey, v]))
  // The APIs kafkajs' producer, consumer and admin send.
  const used = ['Produce', 'Fetch', 'ListOffsets', 'Metadata', 'OffsetCommit', 'OffsetFetch',
    'GroupCoordinator', 'JoinGroup', 'Heartbeat', 'LeaveGroup', 'SyncGroup', 'DescribeGroups',
    'ListGroups', 'ApiVersions', 'CreateTopics', 'DeleteTopics', 'DeleteRecords',
    'InitProducerId', 'DescribeConfigs', 'AlterConfigs', 'CreatePartitions', 'DeleteGroups']
  const chosen = {}
  for (const name of used) {
    const theirs = table[apiKeys[name]]
    check(theirs !== undefined, `kq-serve does not list ${name} (API key ${apiKeys[name]})`)
    const v = Math.min(Math.max(...requests[name].versions.map(Number)), theirs.maxVersion)
    check(v >= theirs.minVersion && requests[name].versions.includes(String(v)),
      `kafkajs would send ${name} v${v}, kq-serve lists v${theirs.minVersion}-v${theirs.maxVersion}`)
    chosen[name] = v
  }
  process.stderr.write(`kafkajs sends: ${JSON.stringify(chosen)}\n`)
}

async function admin() {
  const a = kafka.admin()
  await a.connect()
  const created = await a.createTopics({
    topics: [
      {
        topic: 'js-admin', numPartitions: 3, replicationFactor: 1,
        configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'cleanup.policy', value: 'delete' }],
      },
      { topic: 'js-doomed', numPartitions: 1 },
    ],
    waitForLeaders: true,
    timeout: 5000,
  })
  check(created === true, `createTopics returned ${created}`)
  // An existing topic is not created again: kafkajs answers false.
  const again = await a.createTopics({ topics: [{ topic: 'js-admin' }], timeout: 5000 })
  check(again === false, `createTopics of an existing topic returned ${again}`)

  const topics = await a.listTopics()
  check(topics.includes('js-admin') && topics.includes('js-doomed'), `listTopics: ${topics}`)
  check(!topics.includes('__consumer_offsets'), `listTopics lists the internal topic: ${topics}`)

  const cluster = await a.describeCluster()
  same(cluster.brokers.length, 1, 'describeCluster brokers')
  check(cluster.brokers[0].nodeId === cluster.controller, `describeCluster: ${JSON.stringify(cluster)}`)
  const nodeId = cluster.brokers[0].nodeId

  let md = await a.fetchTopicMetadata({ topics: ['js-admin'] })
  same(md.topics.map(t => t.name), ['js-admin'], 'fetchTopicMetadata topics')
  same(md.topics[0].partitions.map(p => [p.partitionId, p.leader, p.replicas, p.isr, p.partitionErrorCode]).sort(),
    [0, 1, 2].map(p => [p, nodeId, [nodeId], [nodeId], 0]), 'fetchTopicMetadata partitions')

  const dc = await a.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'js-admin', configNames: ['retention.ms', 'cleanup.policy'] }],
    includeSynonyms: false,
  })
  same(dc.resources.length, 1, 'describeConfigs resources')
  same(dc.resources[0].errorCode, 0, 'describeConfigs error')
  const entries = Object.fromEntries(dc.resources[0].configEntries.map(e => [e.configName, e]))
  same(entries['retention.ms']?.configValue, '3600000', 'describeConfigs retention.ms')
  same(entries['retention.ms']?.isDefault, false, 'describeConfigs retention.ms isDefault')
  same(entries['cleanup.policy']?.configValue, 'delete', 'describeConfigs cleanup.policy')
  // Without names: every config of the topic, the unset ones as defaults.
  const all = await a.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'js-admin' }] })
  const allEntries = Object.fromEntries(all.resources[0].configEntries.map(e => [e.configName, e]))
  same(allEntries['retention.ms']?.configValue, '3600000', 'describeConfigs (all) retention.ms')
  check(allEntries['segment.bytes']?.isDefault === true, `describeConfigs (all) segment.bytes: ${JSON.stringify(allEntries['segment.bytes'])}`)

  await a.alterConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'js-admin', configEntries: [{ name: 'retention.ms', value: '7200000' }] }],
  })
  // AlterConfigs replaces the topic's whole set: cleanup.policy is a default again.
  const altered = await a.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'js-admin', configNames: ['cleanup.policy', 'retention.ms'] }],
  })
  same(altered.resources[0].configEntries.map(e => [e.configName, e.configValue, e.isDefault]).sort(),
    [['cleanup.policy', 'delete', true], ['retention.ms', '7200000', false]], 'describeConfigs after alterConfigs')

  await a.createPartitions({ topicPartitions: [{ topic: 'js-admin', count: 5 }], timeout: 5000 })
  md = await a.fetchTopicMetadata({ topics: ['js-admin'] })
  same(md.topics[0].partitions.map(p => p.partitionId).sort(), [0, 1, 2, 3, 4], 'partitions after createPartitions')

  // Ten records in partition 4, then the first four deleted.
  const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await p.connect()
  const sent = await p.send({
    topic: 'js-admin', acks: -1,
    messages: Array.from({ length: 10 }, (_, i) => ({ partition: 4, key: key(i), value: value(i) })),
  })
  await p.disconnect()
  same(sent.map(r => [r.partition, r.errorCode, r.baseOffset]), [[4, 0, '0']], 'send to partition 4')
  // acks 0 (no response: kafkajs resolves once it is sent) and acks 1, with
  // headers and a timestamp the shell finds on disk; acks 0 in partition 1.
  const p0 = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await p0.connect()
  same(await p0.send({ topic: 'js-admin', acks: 0, messages: [{ partition: 1, key: 'zero', value: 'acks0' }] }), [],
    'send with acks 0')
  const one = await p0.send({
    topic: 'js-admin', acks: 1,
    messages: [{ partition: 2, key: 'one', value: 'acks1', timestamp: '1500000000123', headers: { h1: 'v1', h2: 'v2' } },
      { partition: 2, key: null, value: null, timestamp: '1500000000999' }],
  })
  same(one.map(r => [r.partition, r.errorCode, r.baseOffset]), [[2, 0, '0']], 'send with acks 1')
  await p0.disconnect()
  let offsets
  for (let i = 0; ; i++) {
    offsets = await a.fetchTopicOffsets('js-admin')
    if (offsets.find(o => o.partition === 1).high === '1' || i === 50) break
    await new Promise(r => setTimeout(r, 100))  // the acks 0 request went on another connection
  }
  same(offsets.map(o => [o.partition, o.low, o.high]).sort(),
    [[0, '0', '0'], [1, '0', '1'], [2, '0', '2'], [3, '0', '0'], [4, '0', '10']], 'fetchTopicOffsets')
  // ListOffsets by timestamp: the first record at or after it, else the end.
  const byTime = await a.fetchTopicOffsetsByTimestamp('js-admin', 1500000000500)
  same(byTime.find(o => o.partition === 2), { partition: 2, offset: '1' }, 'fetchTopicOffsetsByTimestamp')
  const future = await a.fetchTopicOffsetsByTimestamp('js-admin', Date.now() + 3600000)
  same(future.map(o => [o.partition, o.offset]).sort(), [[0, '0'], [1, '1'], [2, '2'], [3, '0'], [4, '10']],
    'fetchTopicOffsetsByTimestamp after the last record')
  await a.deleteTopicRecords({ topic: 'js-admin', partitions: [{ partition: 4, offset: '4' }] })
  offsets = await a.fetchTopicOffsets('js-admin')
  same(offsets.find(o => o.partition === 4), { partition: 4, offset: '10', high: '10', low: '4' },
    'fetchTopicOffsets after deleteTopicRecords')

  await a.deleteTopics({ topics: ['js-doomed'], timeout: 5000 })
  const left = await a.listTopics()
  check(!left.includes('js-doomed') && left.includes('js-admin'), `listTopics after deleteTopics: ${left}`)
  await a.disconnect()
}

async function produce(topic, first, count, out) {
  const a = kafka.admin()
  await a.connect()
  if (!(await a.listTopics()).includes(topic)) {
    await a.createTopics({ topics: [{ topic, numPartitions: 4 }], timeout: 5000 })
  }
  await a.disconnect()
  const p = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true, maxInFlightRequests: 1,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  })
  await p.connect()
  const lines = []
  const batch = 50
  for (let start = first; start < first + count; start += batch) {
    const n = Math.min(batch, first + count - start)
    const last = start + n >= first + count
    const messages = Array.from({ length: n }, (_, j) => ({ key: key(start + j), value: value(start + j) }))
    // The acknowledgement gives each partition's base offset; the records of
    // a partition follow in send order, as the partitioner placed them.
    const partitioner = Partitioners.DefaultPartitioner()
    const partitionMetadata = [0, 1, 2, 3].map(partitionId => ({ partitionId, leader: 0 }))
    const placed = messages.map(message => partitioner({ topic, partitionMetadata, message }))
    const acks = await p.send({
      topic, acks: -1, messages, compression: last ? CompressionTypes.GZIP : CompressionTypes.None,
    })
    const base = {}
    for (const r of acks) {
      same(r.errorCode, 0, `produce error on partition ${r.partition}`)
      base[r.partition] = BigInt(r.baseOffset)
    }
    messages.forEach((m, j) => {
      const partition = placed[j]
      check(base[partition] !== undefined, `no acknowledgement for partition ${partition}`)
      lines.push(`${partition} ${base[partition]++} ${m.key} ${m.value}`)
    })
  }
  await p.disconnect()
  fs.writeFileSync(out, sorted(lines).join('\n') + '\n')
}

async function group(topic, groupId, expected, out) {
  const seen = new Map()
  const perMember = [0, 0]
  const problems = []
  const consumers = [0, 1].map(() => kafka.consumer({
    groupId, sessionTimeout: 10000, rebalanceTimeout: 10000, heartbeatInterval: 500,
    maxWaitTimeInMs: 200, retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  }))
  let done
  const allSeen = new Promise(resolve => { done = resolve })
  await Promise.all(consumers.map(async (c, member) => {
    c.on(c.events.CRASH, e => problems.push(`member ${member} crashed: ${e.payload.error}`))
    await c.connect()
    await c.subscribe({ topics: [topic], fromBeginning: true })
    await c.run({
      eachMessage: async ({ partition, message }) => {
        const id = `${partition} ${message.offset}`
        const line = `${id} ${message.key} ${message.value}`
        if (seen.has(id)) problems.push(`read twice: ${line} (member ${member})`)
        seen.set(id, line)
        perMember[member]++
        if (seen.size >= expected) done()
      },
    })
  }))
  const timer = setTimeout(() => fail(`read ${seen.size} of ${expected} records in 30 s`), 30000)
  await allSeen
  clearTimeout(timer)

  // Auto-commit covers each batch once eachMessage has returned: wait until
  // the committed offsets reach the end of every partition.
  const a = kafka.admin()
  await a.connect()
  const ends = Object.fromEntries((await a.fetchTopicOffsets(topic)).map(o => [o.partition, o.high]))
  let committed
  for (let i = 0; ; i++) {
    const [{ partitions }] = await a.fetchOffsets({ groupId, topics: [topic] })
    committed = Object.fromEntries(partitions.map(p => [p.partition, p.offset]))
    if (JSON.stringify(committed) === JSON.stringify(ends)) break
    if (i === 100) fail(`commits ${JSON.stringify(committed)} did not reach the ends ${JSON.stringify(ends)}`)
    await new Promise(r => setTimeout(r, 100))
  }
  await a.disconnect()
  // Anything more (a record read twice after a rebalance) shows in OUT.
  await new Promise(r => setTimeout(r, 500))
  await Promise.all(consumers.map(c => c.disconnect()))
  check(problems.length === 0, problems.join('; '))
  check(seen.size === expected, `read ${seen.size} records, expected ${expected}`)
  check(perMember.every(n => n > 0), `the two members read ${perMember}: one had no partition`)
  fs.writeFileSync(out, sorted([...seen.values()]).join('\n') + '\n')
}

async function groups(topic, groupId, total) {
  const a = kafka.admin()
  await a.connect()
  const { groups: listed } = await a.listGroups()
  check(listed.some(g => g.groupId === groupId && g.protocolType === 'consumer'),
    `listGroups: ${JSON.stringify(listed)}`)
  const { groups: described } = await a.describeGroups([groupId])
  same(described.map(g => [g.groupId, g.errorCode, g.state, g.protocolType, g.members.length]),
    [[groupId, 0, 'Empty', 'consumer', 0]], 'describeGroups')
  const [{ topic: t, partitions }] = await a.fetchOffsets({ groupId, topics: [topic] })
  same(t, topic, 'fetchOffsets topic')
  const ends = await a.fetchTopicOffsets(topic)
  same(partitions.map(p => [p.partition, p.offset]).sort(), ends.map(o => [o.partition, o.high]).sort(),
    'fetchOffsets against the partition ends')
  same(partitions.reduce((n, p) => n + Number(p.offset), 0), total, 'committed records in all')
  // The admin's own commits: setOffsets joins the empty group, commits, leaves.
  await a.setOffsets({ groupId, topic, partitions: ends.map(o => ({ partition: o.partition, offset: '1' })) })
  const [{ partitions: set }] = await a.fetchOffsets({ groupId, topics: [topic] })
  same(set.map(p => p.offset), ends.map(() => '1'), 'fetchOffsets after setOffsets')
  {
    // kafkajs commits -2 (earliest) and resolves it on fetchOffsets with
    // resolveOffsets; an error here leaves kafkajs' promise unsettled.
    await Promise.race([a.resetOffsets({ groupId, topic, earliest: true }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('resetOffsets did not finish in 10 s')), 10000))])
    const [{ partitions: reset }] = await a.fetchOffsets({ groupId, topics: [topic], resolveOffsets: true })
    same(reset.map(p => p.offset), ends.map(o => o.low), 'fetchOffsets (resolved) after resetOffsets')
  }
  {
    // Records deleted under the commit (1): Fetch answers OFFSET_OUT_OF_RANGE
    // and kafkajs commits its default offset, -2 (earliest), then reads on
    // from the new log start.
    await a.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '3' }] })
    const c = kafka.consumer({
      groupId, sessionTimeout: 10000, heartbeatInterval: 500, maxWaitTimeInMs: 200,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    })
    const problems = []
    c.on(c.events.CRASH, e => problems.push(`crashed: ${e.payload.error}`))
    await c.connect()
    await c.subscribe({ topics: [topic], fromBeginning: true })
    const first = new Promise(resolve => c.run({
      eachMessage: async ({ partition, message }) => { if (partition === 0) resolve(message.offset) },
    }))
    const offset = await Promise.race([first, new Promise(resolve => setTimeout(() => resolve('none in 10 s'), 10000))])
    await c.disconnect()
    check(problems.length === 0, problems.join('; '))
    same(offset, '3', 'the first offset read after the records under the commit were deleted')
  }
  const missing = await a.describeGroups(['js-nobody'])
  same(missing.groups.map(g => [g.groupId, g.errorCode, g.state]), [['js-nobody', 0, 'Dead']], 'describeGroups of no group')
  const notFound = await a.deleteGroups(['js-nobody']).then(() => 'no error', e => e.groups?.[0]?.error?.type)
  same(notFound, 'GROUP_ID_NOT_FOUND', 'deleteGroups of no group')
  const [deleted] = await a.deleteGroups([groupId])
  same([deleted.groupId, deleted.errorCode], [groupId, 0], 'deleteGroups')
  const { groups: after } = await a.listGroups()
  check(!after.some(g => g.groupId === groupId), `listGroups after deleteGroups: ${JSON.stringify(after)}`)
  await a.disconnect()
}

async function main() {
  // No phase may hang: kafkajs' own timeouts are bounded, this bounds the rest.
  setTimeout(() => fail('no result after 45 s'), 45000)
  switch (phase) {
    case 'apiversions': return apiVersions()
    case 'admin': return admin()
    case 'produce': return produce(args[0], Number(args[1]), Number(args[2]), args[3])
    case 'group': return group(args[0], args[1], Number(args[2]), args[3])
    case 'groups': return groups(args[0], args[1], Number(args[2]))
    default: fail(`unknown phase ${phase}`)
  }
}

main().then(() => process.exit(0), e => fail(e.stack || String(e)))
