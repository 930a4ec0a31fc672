'use strict';
// Raw AMQP 1.0 scenarios driven by rhea against a broker under test. Run by the JUnit class
// io.wharfmq.interop.amqp.RheaInteropTest as a child process:
//
//   node scenarios.js SCENARIO HOST PORT ADDRESS [EXTRA]
//
// Prints the facts it observed as "key=value" lines (the Java side asserts on them, so the
// expectations live in one place) and "done" at the end; exits 1 with "error=..." on a failure,
// and after 30 s at most. It never decides pass or fail itself beyond "the scenario ran".
const rhea = require('rhea');
const crypto = require('crypto');

const [scenario, host, portText, address, extra] = process.argv.slice(2);
const port = Number(portText);

function fact(key, value) {
  process.stdout.write(key + '=' + JSON.stringify(value === undefined ? null : value) + '\n');
}

function fail(err) {
  process.stdout.write('error=' + String(err && err.stack ? err.stack : err).replace(/\n/g, ' | ') + '\n');
  process.exit(1);
}

setTimeout(() => fail('scenario ' + scenario + ' did not finish within 30 s'), 30000).unref();

function connect() {
  return new Promise((resolve, reject) => {
    const container = rhea.create_container({ id: 'rhea-' + crypto.randomUUID() });
    const conn = container.connect({ host, port, reconnect: false, idle_time_out: 10000 });
    conn.once('connection_open', () => resolve(conn));
    conn.once('connection_error', (ctx) => reject(new Error('connection error: ' + JSON.stringify(ctx.connection.error))));
    conn.once('disconnected', (ctx) => reject(new Error('disconnected: ' + (ctx.error || 'no reason'))));
  });
}

function opened(link, event) {
  return new Promise((resolve, reject) => {
    link.once(event, () => resolve(link));
    link.once(event === 'receiver_open' ? 'receiver_error' : 'sender_error', () =>
      reject(new Error('link refused: ' + JSON.stringify(link.error))));
  });
}

/** A receiver with manual credit that collects every delivery it gets. */
async function receiver(session, options) {
  const r = session.open_receiver(Object.assign({ credit_window: 0, autoaccept: false }, options));
  r.got = [];
  r.on('message', (ctx) => r.got.push(ctx));
  return opened(r, 'receiver_open');
}

/**
 * Grants credit with drain set; resolves with what arrived once the credit is spent: by deliveries
 * (the specification asks for no flow then) or by the broker's drained flow. A drained flow that
 * answers an earlier drain (its delivery-count short of this one's target) is not this drain's end.
 */
function drain(r, credit) {
  return new Promise((resolve) => {
    const start = r.got.length;
    const target = r.delivery_count + credit;
    const finish = () => {
      r.removeListener('message', onMessage);
      r.removeListener('receiver_drained', onDrained);
      r.drain = false;
      resolve(r.got.slice(start));
    };
    const onMessage = () => {
      if (r.got.length - start >= credit) finish();
    };
    const onDrained = () => {
      if (r.delivery_count >= target) finish();
    };
    r.on('message', onMessage);
    r.on('receiver_drained', onDrained);
    r.drain = true;
    if (credit > 0) {
      r.add_credit(credit);
    } else {
      r.drain_credit();
    }
  });
}

/**
 * Drains until {@code want} deliveries came (each drain granting {@code creditFor(missing)}), or
 * 10 s passed; resolves with what came.
 */
async function drainUntil(r, want, creditFor) {
  const got = [];
  const deadline = Date.now() + 10000;
  while (got.length < want && Date.now() < deadline) {
    got.push(...(await drain(r, creditFor(want - got.length))));
  }
  return got;
}

/**
 * Grants credit (no drain) and resolves once {@code count} more deliveries arrived, or with what
 * came within {@code timeoutMs} when given.
 */
function take(r, count, timeoutMs) {
  return new Promise((resolve) => {
    const start = r.got.length;
    let timer;
    const finish = () => {
      clearTimeout(timer);
      r.removeListener('message', check);
      resolve(r.got.slice(start, start + count));
    };
    const check = () => {
      if (r.got.length - start >= count) finish();
    };
    if (timeoutMs) timer = setTimeout(finish, timeoutMs);
    r.on('message', check);
    r.add_credit(count);
  });
}

async function sender(session, options) {
  const s = session.open_sender(options);
  return opened(s, 'sender_open');
}

/** Sends unsettled messages, resolving with the outcome of each ("accepted", "rejected", ...). */
function sendAll(s, messages) {
  return new Promise((resolve) => {
    const outcomes = new Array(messages.length);
    let settled = 0;
    let next = 0;
    const pump = () => {
      while (next < messages.length && s.sendable()) {
        const i = next++;
        const d = s.send(messages[i]);
        d.index = i;
      }
    };
    const record = (name) => (ctx) => {
      outcomes[ctx.delivery.index] = name;
      if (++settled === messages.length) resolve(outcomes);
    };
    s.on('accepted', record('accepted'));
    s.on('rejected', record('rejected'));
    s.on('released', record('released'));
    s.on('modified', record('modified'));
    s.on('sendable', pump);
    pump();
  });
}

function body(ctx) {
  const b = ctx.message.body;
  if (b && b.typecode === 0x75) return b.content.toString('utf8');
  if (Buffer.isBuffer(b)) return b.toString('utf8');
  return b;
}

function describe(ctx) {
  if (!ctx) return null;
  return {
    body: body(ctx),
    deliveryCount: ctx.message.delivery_count || 0,
    firstAcquirer: !!ctx.message.first_acquirer,
    settled: !!ctx.delivery.remote_settled,
  };
}

async function newSession(conn) {
  const s = conn.create_session();
  s.begin();
  return s;
}

const REDELIVERED = ['released', 'modified-failed'];

const scenarios = {
  // Credit is a hard limit, drain spends what is left at once, with and without messages waiting.
  async 'credit-drain'(conn) {
    const ssn = await newSession(conn);
    const s = await sender(ssn, { target: { address } });
    fact('sendOutcomes', await sendAll(s, [1, 2, 3, 4, 5].map((i) => ({ body: 'm' + i }))));
    const r = await receiver(ssn, { source: { address } });
    // A broker may answer a drain before messages that were just stored reach the link (Artemis
    // does): drain again until the expected messages came, never granting more than asked for.
    const first = await drainUntil(r, 2, (missing) => missing);
    fact('firstDrain', first.map(body));
    fact('creditAfterFirstDrain', r.credit);
    const second = await drainUntil(r, 3, () => 10);
    fact('secondDrain', second.map(body));
    fact('creditAfterSecondDrain', r.credit);
    const third = await drain(r, 10);
    fact('emptyDrain', third.map(body));
    fact('creditAfterEmptyDrain', r.credit);
    first.concat(second).forEach((ctx) => ctx.delivery.accept());
    // A plain flow (no drain) is answered as messages arrive: one more message, one credit used.
    const later = take(r, 1);
    fact('laterSend', await sendAll(s, [{ body: 'later' }]));
    fact('creditFlowDelivery', (await later).map(body));
    (await later).forEach((ctx) => ctx.delivery.accept());
  },

  // One queue per outcome (ADDRESS-OUTCOME); what the same link and a new link see afterwards.
  async outcomes(conn) {
    const dlqFor = extra ? JSON.parse(extra) : {};
    const kinds = ['accepted', 'released', 'modified-failed', 'modified-undeliverable', 'rejected'];
    for (const kind of kinds) {
      const queue = address + '-' + kind;
      const ssn = await newSession(conn);
      const s = await sender(ssn, { target: { address: queue } });
      await sendAll(s, [{ body: kind }]);
      const r = await receiver(ssn, { source: { address: queue } });
      const [d] = await take(r, 1);
      fact(kind + '.first', describe(d));
      if (kind === 'accepted') d.delivery.accept();
      if (kind === 'released') d.delivery.release();
      if (kind === 'modified-failed') d.delivery.modified({ delivery_failed: true });
      if (kind === 'modified-undeliverable') d.delivery.modified({ undeliverable_here: true });
      if (kind === 'rejected') d.delivery.reject({ condition: 'amqp:internal-error', description: 'test' });
      // A message that comes back may take a moment (the broker requeues it); one that must not
      // come back is checked with a drain.
      const same = REDELIVERED.includes(kind) ? await take(r, 1, 10000) : await drain(r, 1);
      fact(kind + '.sameLink', describe(same[0]));
      same.forEach((x) => x.delivery.accept());
      r.close();
      const r2 = await receiver(ssn, { source: { address: queue } });
      const other = await drain(r2, 1);
      fact(kind + '.newLink', describe(other[0]));
      other.forEach((x) => x.delivery.accept());
      r2.close();
      if (dlqFor[queue]) {
        const r3 = await receiver(ssn, { source: { address: dlqFor[queue] } });
        const dead = await take(r3, 1, 10000);
        fact(kind + '.deadLetter', describe(dead[0]));
        dead.forEach((x) => x.delivery.accept());
        r3.close();
      }
    }
  },

  // Pre-settled both ways: a settled sender, a receiver whose deliveries come settled (at most once).
  async presettled(conn) {
    const ssn = await newSession(conn);
    const s = await sender(ssn, { target: { address }, snd_settle_mode: 1 });
    fact('senderSettleMode', s.remote.attach.snd_settle_mode);
    for (let i = 0; i < 10; i++) {
      s.send({ body: 'p' + i });
    }
    const r = await receiver(ssn, { source: { address }, snd_settle_mode: 1, autoaccept: false });
    fact('receiverSettleMode', r.remote.attach.snd_settle_mode);
    const got = [];
    const deadline = Date.now() + 15000;
    while (got.length < 10 && Date.now() < deadline) {
      got.push(...(await drain(r, 10 - got.length)));
    }
    fact('received', got.map(body));
    fact('allSettled', got.every((ctx) => ctx.delivery.remote_settled));
    r.close();
    const after = await receiver(ssn, { source: { address } });
    fact('leftAfterPresettledReceive', (await drain(after, 10)).map(body));
  },

  // Queue arguments (declared by the test): ADDRESS-ttl expires into ADDRESS-dead, ADDRESS-work
  // dead-letters a rejected message there, ADDRESS-limited (x-max-length 1, reject-publish) refuses
  // its second message. Facts: what reached ADDRESS-dead with its annotations, the outcomes.
  async 'queue-arguments'(conn) {
    const ssn = await newSession(conn);
    const deaths = (ctx) => {
      const ma = ctx.message.message_annotations || {};
      return {
        body: body(ctx),
        ttl: ctx.message.ttl === undefined ? null : ctx.message.ttl,
        firstAcquirer: !!ctx.message.first_acquirer,
        deaths: (ma['x-opt-deaths'] || []).map((d) => ({
          queue: d.queue,
          reason: String(d.reason),
          count: Number(d.count),
          exchange: d.exchange,
          routingKeys: d['routing-keys'],
          ttl: d.ttl === undefined ? null : Number(d.ttl),
          timesOrdered: Number(d['first-time']) <= Number(d['last-time']),
        })),
        firstDeathReason: ma['x-first-death-reason'] || null,
        firstDeathQueue: ma['x-first-death-queue'] || null,
        lastDeathReason: ma['x-last-death-reason'] || null,
      };
    };
    const dead = await receiver(ssn, { source: { address: address + '-dead' } });

    const ttlSender = await sender(ssn, { target: { address: address + '-ttl' } });
    fact('ttlSend', await sendAll(ttlSender, [{ body: 'short-lived', ttl: 60000 }]));
    const [expired] = await take(dead, 1, 15000);
    fact('expired', expired ? deaths(expired) : null);
    if (expired) expired.delivery.accept();

    const workSender = await sender(ssn, { target: { address: address + '-work' } });
    fact('workSend', await sendAll(workSender, [{ body: 'refuse-me' }]));
    const work = await receiver(ssn, { source: { address: address + '-work' } });
    const [w] = await take(work, 1, 10000);
    w.delivery.reject({ condition: 'amqp:internal-error', description: 'cannot process' });
    const [rejected] = await take(dead, 1, 15000);
    fact('rejected', rejected ? deaths(rejected) : null);
    if (rejected) rejected.delivery.accept();

    const limited = await sender(ssn, { target: { address: address + '-limited' } });
    fact('limitedFirst', await sendAll(limited, [{ body: 'fits' }]));
    const refused = await new Promise((resolve) => {
      limited.once('rejected', (ctx) => resolve(ctx.delivery.remote_state.error));
      limited.once('accepted', () => resolve(null));
      limited.send({ body: 'does not fit' });
    });
    fact('limitedSecond', refused && {
      condition: refused.condition,
      queue: refused.info && refused.info.queue,
      reason: refused.info && String(refused.info.reason),
    });

    // ADDRESS-single (x-single-active-consumer): the second link gets nothing while the first is
    // attached, then takes over when it detaches.
    const one = await receiver(ssn, { source: { address: address + '-single' } });
    const two = await receiver(await newSession(conn), { source: { address: address + '-single' } });
    const singleSender = await sender(ssn, { target: { address: address + '-single' } });
    fact('singleSend', await sendAll(singleSender, [{ body: 's1' }, { body: 's2' }]));
    const fromOne = await take(one, 1, 10000);
    fact('singleFirst', fromOne.map(body));
    fromOne.forEach((x) => x.delivery.accept());
    const waitTwo = take(two, 1, 10000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    fact('singleStandbyBeforeDetach', two.got.map(body));
    one.close();
    const fromTwo = await waitTwo;
    fact('singleAfterDetach', fromTwo.map(body));
    fromTwo.forEach((x) => x.delivery.accept());

    // ADDRESS-auto (auto-delete): deleted once its last consumer link detaches.
    const auto = await receiver(ssn, { source: { address: address + '-auto' } });
    await new Promise((resolve) => {
      auto.once('receiver_close', resolve);
      auto.close();
    });
    fact('autoDetached', true);
  },

  // Dynamic nodes: a dynamic source (a receiver's own node) and a dynamic target.
  async dynamic(conn) {
    const ssn = await newSession(conn);
    const r = await receiver(ssn, { source: { dynamic: true, expiry_policy: 'link-detach' } });
    const srcAddress = r.remote.attach.source && r.remote.attach.source.address;
    fact('dynamicSourceAddress', srcAddress || '');
    const s = await sender(ssn, { target: { address: srcAddress } });
    fact('sendToDynamicSource', await sendAll(s, [{ body: 'to the dynamic source' }]));
    const got = await take(r, 1);
    fact('dynamicSourceReceived', got.map(body));
    got.forEach((x) => x.delivery.accept());

    const ds = await sender(ssn, { target: { dynamic: true, expiry_policy: 'link-detach' } });
    const tgtAddress = ds.remote.attach.target && ds.remote.attach.target.address;
    fact('dynamicTargetAddress', tgtAddress || '');
    const r2 = await receiver(ssn, { source: { address: tgtAddress } });
    fact('sendToDynamicTarget', await sendAll(ds, [{ body: 'to the dynamic target' }]));
    const got2 = await take(r2, 1);
    fact('dynamicTargetReceived', got2.map(body));
    got2.forEach((x) => x.delivery.accept());
  },

  // A 1 MiB data section, sent and received whole (multi-frame transfers both ways).
  async large(conn) {
    const size = Number(extra || 1048576);
    const payload = crypto.randomBytes(size);
    const ssn = await newSession(conn);
    const s = await sender(ssn, { target: { address } });
    fact('sent', { size, sha256: crypto.createHash('sha256').update(payload).digest('hex') });
    fact('outcome', await sendAll(s, [{ body: rhea.message.data_section(payload) }]));
    const r = await receiver(ssn, { source: { address } });
    const [d] = await take(r, 1);
    const b = d.message.body;
    const bytes = b && b.content ? b.content : b;
    fact('received', { size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
    d.delivery.accept();
  },

  // One message with typed application properties and the RocketMQ tag and keys annotations,
  // for a RocketMQ consumer to read (AmqpRawToRocketMqInteropTest).
  async 'typed-send'(conn) {
    const ssn = await newSession(conn);
    const s = await sender(ssn, { target: { address } });
    const types = rhea.types;
    fact('outcome', await sendAll(s, [{
      message_id: 'raw-' + extra,
      subject: 'RawSubject',
      message_annotations: { 'x-opt-rocketmq-tags': 'TagRaw', 'x-opt-rocketmq-keys': 'rk1 rk2' },
      application_properties: {
        client: extra,
        count: types.wrap_int(10),
        big: types.wrap_ulong(1099511627776),
        flag: types.wrap_boolean(true),
        sym: types.wrap_symbol('a-symbol'),
        at: types.wrap_timestamp(1700000000123),
      },
      body: 'from ' + extra,
    }]));
  },

  // Many links on one session: N senders and N receivers, one queue each (ADDRESS-i).
  async 'many-links'(conn) {
    const n = Number(extra || 50);
    const ssn = await newSession(conn);
    const receivers = await Promise.all(
      [...Array(n).keys()].map((i) => receiver(ssn, { source: { address: address + '-' + i } })));
    const senders = await Promise.all(
      [...Array(n).keys()].map((i) => sender(ssn, { target: { address: address + '-' + i } })));
    fact('linksOpen', receivers.length + senders.length);
    fact('sessions', new Set(receivers.concat(senders).map((l) => l.session)).size);
    const outcomes = await Promise.all(senders.map((s, i) => sendAll(s, [{ body: 'link ' + i }])));
    fact('accepted', outcomes.flat().filter((o) => o === 'accepted').length);
    const got = await Promise.all(receivers.map((r) => take(r, 1)));
    fact('matched', got.filter((g, i) => body(g[0]) === 'link ' + i).length);
    got.forEach((g) => g[0].delivery.accept());
  },

  // RabbitMQ 4's address v2 (docs/rabbitmq.md "Addresses"): EXTRA (JSON) names a queue bound to
  // amq.topic, a declared exchange bound to a second queue with a key, all declared beforehand by
  // the Java side through /management; names and keys go percent-encoded into the addresses.
  async v2(conn) {
    const n = JSON.parse(extra);
    const enc = encodeURIComponent;
    const ssn = await newSession(conn);
    const topic = await sender(ssn, { target: { address: '/exchanges/amq.topic/' + enc(n.topicKey) } });
    const lost = await sender(ssn, { target: { address: '/exchanges/amq.topic/' + enc(n.unroutableKey) } });
    fact('topicOutcomes', (await sendAll(topic, [{ body: 't1' }])).concat(await sendAll(lost, [{ body: 'lost' }])));
    const x = await sender(ssn, { target: { address: '/exchanges/' + enc(n.exchange) + '/' + enc(n.key) } });
    fact('exchangeOutcomes', await sendAll(x, [{ body: 'x1' }]));
    const q = await sender(ssn, { target: { address: '/queues/' + enc(n.queue) } });
    fact('queueOutcomes', await sendAll(q, [{ body: 'q1' }]));
    const annotated = (ctx) => {
      const a = ctx.message.message_annotations || {};
      return { body: body(ctx), exchange: a['x-exchange'] === undefined ? null : a['x-exchange'],
        routingKey: a['x-routing-key'] === undefined ? null : a['x-routing-key'] };
    };
    const tr = await receiver(ssn, { source: { address: '/queues/' + enc(n.topicQueue) } });
    const tgot = await take(tr, 1);
    fact('topicReceived', tgot.map(annotated));
    tgot.forEach((ctx) => ctx.delivery.accept());
    fact('topicLeft', (await drain(tr, 5)).map(body));
    const qr = await receiver(ssn, { source: { address: '/queues/' + enc(n.queue) } });
    const qgot = await take(qr, 2);
    fact('queueReceived', qgot.map(annotated).sort((a, b) => (a.body < b.body ? -1 : 1)));
    qgot.forEach((ctx) => ctx.delivery.accept());
    // Refused addresses: the attach is answered with a null terminus, then a detach with an error.
    const refused = (link, kind) => new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        const attach = link.remote.attach || {};
        const terminus = kind === 'sender' ? attach.target : attach.source;
        const error = (link.remote.detach && link.remote.detach.error) || link.error || {};
        // rhea keeps a null terminus of a received attach as a typed AMQP null
        const isNull = terminus === undefined || terminus === null || (terminus.type && terminus.type.name === 'Null');
        resolve({ nullTerminus: !!isNull, condition: error.condition || null });
      };
      link.once(kind + '_error', finish);
      link.once(kind + '_close', finish);
    });
    const bad = {};
    for (const a of ['/exchanges/amq.default/k', '/exchanges/' + enc(n.absent) + '/k', '/queues']) {
      bad['target ' + a] = await refused(ssn.open_sender({ target: { address: a } }), 'sender');
    }
    for (const a of ['/queues/a%zz', '/exchanges/amq.topic']) {
      bad['source ' + a] = await refused(ssn.open_receiver({ source: { address: a } }), 'receiver');
    }
    fact('refused', bad);
  },
};

(async () => {
  const run = scenarios[scenario];
  if (!run) fail('unknown scenario ' + scenario);
  const conn = await connect();
  await run(conn);
  fact('done', true);
  conn.close();
  conn.once('connection_close', () => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
})().catch(fail);
