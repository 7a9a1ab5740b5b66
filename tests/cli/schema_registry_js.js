// @kafkajs/confluent-schema-registry (npm) against kq-serve --schema-registry,
// with kafkajs producing and consuming through kq-serve:
//   node schema_registry_js.js REGISTRY BROKER produce TOPIC   registers an Avro schema
//        and a JSON schema, encodes 2 values each and produces them to TOPIC
//   node schema_registry_js.js REGISTRY BROKER decode TOPIC N  consumes N values and prints
//        each decoded value as a JSON line
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const { Kafka, logLevel } = require('kafkajs');

const [registryAddr, broker, mode, topic, count] = process.argv.slice(2);
const registry = new SchemaRegistry({ host: `http://${registryAddr}` });
const kafka = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING });

const avro = {
  type: 'record', name: 'Point', namespace: 'js',
  fields: [{ name: 'x', type: 'int' }, { name: 'label', type: 'string' }],
};
const jsonSchema = {
  type: 'object', properties: { name: { type: 'string' } }, required: ['name'],
};

async function produce() {
  const a = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(avro) }, { subject: `${topic}-value` });
  const again = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(avro) }, { subject: `${topic}-value` });
  if (a.id !== again.id) throw new Error(`re-registration changed the id: ${a.id} ${again.id}`);
  const j = await registry.register(
    { type: SchemaType.JSON, schema: JSON.stringify(jsonSchema) }, { subject: `${topic}-json-value` });
  if ((await registry.getLatestSchemaId(`${topic}-value`)) !== a.id) throw new Error('latest id');
  const messages = [
    { value: await registry.encode(a.id, { x: 1, label: 'one' }) },
    { value: await registry.encode(a.id, { x: -2, label: 'two' }) },
    { value: await registry.encode(j.id, { name: 'ann' }) },
    { value: await registry.encode(j.id, { name: 'bob' }) },
  ];
  let refused = false;
  try {
    await registry.encode(j.id, { nope: 1 });
  } catch (e) {
    refused = true;
  }
  if (!refused) throw new Error('an invalid JSON value was encoded');
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

async function decode() {
  const consumer = kafka.consumer({ groupId: 'schema-js' });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const want = Number(count);
  const seen = [];
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        try {
          seen.push(await registry.decode(message.value));
          if (seen.length === want) resolve();
        } catch (e) {
          reject(e);
        }
      },
    }).catch(reject);
    setTimeout(() => reject(new Error(`timed out with ${seen.length} of ${want}`)), 60000);
  });
  await consumer.disconnect();
  for (const v of seen) console.log(JSON.stringify(v));
}

(mode === 'produce' ? produce() : decode()).then(
  () => process.exit(0),
  (e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
