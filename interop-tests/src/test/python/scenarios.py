"""Raw AMQP 1.0 scenarios driven by Qpid Proton for Python against a broker under test.

Run by the JUnit class io.wharfmq.interop.amqp.RawAmqpSuite as a child process, with Debian's
interpreter (python3-qpid-proton; .ci/install-test-deps installs it):

    /usr/bin/python3 scenarios.py SCENARIO HOST PORT ADDRESS [EXTRA]

Prints the facts it observed as "key=value" lines (JSON values; the same keys as the rhea script
src/test/node/scenarios.js, so one set of Java expectations covers both) and "done=true" at the end.
Exits 1 with "error=..." on a failure, and gives up after 30 s.
"""

import hashlib
import json
import os
import signal
import sys
import time
import uuid
from urllib.parse import quote

from proton import (Condition, Delivery, Endpoint, Message, Terminus, Timeout, int32, symbol, timestamp,
                    ulong)
from proton.reactor import AtMostOnce, LinkOption
from proton.utils import BlockingConnection, LinkDetached

SCENARIO, HOST, PORT, ADDRESS = sys.argv[1:5]
EXTRA = sys.argv[5] if len(sys.argv) > 5 else None
TIMEOUT = 20


def fact(key, value):
    sys.stdout.write(key + "=" + json.dumps(value, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def give_up(*_):
    sys.stdout.write("error=scenario %s did not finish within 30 s\n" % SCENARIO)
    sys.stdout.flush()
    os._exit(1)


signal.signal(signal.SIGALRM, give_up)
signal.alarm(30)


class Collect:
    """Every delivery a receiver got (proton's own blocking fetcher keeps them; none is popped)."""

    def __init__(self, fetcher):
        self.fetcher = fetcher

    @property
    def got(self):
        return list(self.fetcher.incoming)


class DynamicTarget(LinkOption):
    def apply(self, link):
        link.target.dynamic = True
        link.target.expiry_policy = Terminus.EXPIRE_WITH_LINK


class DynamicSource(LinkOption):
    def apply(self, link):
        link.source.dynamic = True
        link.source.expiry_policy = Terminus.EXPIRE_WITH_LINK


OUTCOMES = {
    Delivery.ACCEPTED: "accepted",
    Delivery.REJECTED: "rejected",
    Delivery.RELEASED: "released",
    Delivery.MODIFIED: "modified",
}


class Client:
    def __init__(self):
        self.conn = BlockingConnection(
            "%s:%s" % (HOST, PORT), timeout=TIMEOUT, container_id="proton-" + str(uuid.uuid4()))
        self.keep = []

    def receiver(self, address=None, options=None, dynamic=False):
        # No handler of our own: proton's blocking fetcher (prefetch 0: credit only when asked) keeps
        # the deliveries unsettled for us.
        r = self.conn.create_receiver(
            address, credit=0, options=options, dynamic=dynamic, name="receiver-" + str(uuid.uuid4()))
        r.link.collect = Collect(r.fetcher)
        self.keep.append(r)  # the blocking receiver owns the fetcher: keep it alive
        return r.link

    def sender(self, address, options=None):
        return self.conn.create_sender(address, options=options, name="sender-" + str(uuid.uuid4()))

    def send_all(self, sender, bodies, inferred=False):
        deliveries = []
        for b in bodies:
            m = Message(body=b)
            m.inferred = inferred
            deliveries.append(sender.link.send(m))
        self.conn.wait(lambda: all(d.remote_state for d in deliveries), timeout=TIMEOUT,
                       msg="outcomes of %d sends" % len(deliveries))
        for d in deliveries:
            d.settle()
        return [OUTCOMES.get(d.remote_state, str(d.remote_state)) for d in deliveries]

    def drain(self, link, credit):
        """Credit with drain set; what arrived once the credit is spent (by deliveries or drain)."""
        start = len(link.collect.got)
        link.drain(credit)
        self.conn.wait(lambda: link.credit == 0 and link.queued == 0, timeout=TIMEOUT,
                       msg="drain of %d credit" % credit)
        link.drain_mode = False
        return link.collect.got[start:]

    def drain_until(self, link, want, credit=None):
        """Drains (granting `credit`, or what is still missing) until that many deliveries came,
        or 10 s."""
        got = []
        deadline = time.monotonic() + 10
        while len(got) < want and time.monotonic() < deadline:
            got += self.drain(link, credit or want - len(got))
        return got

    def take(self, link, count, timeout=TIMEOUT):
        """Plain credit (no drain); waits for that many more deliveries, or returns what came within
        a shorter timeout when one is given."""
        start = len(link.collect.got)
        link.flow(count)
        try:
            self.conn.wait(lambda: len(link.collect.got) - start >= count, timeout=timeout,
                           msg="%d deliveries" % count)
        except Timeout:
            if timeout == TIMEOUT:
                raise
        return link.collect.got[start:start + count]

    def close(self):
        self.conn.close()


def body(entry):
    b = entry[0].body
    if isinstance(b, (bytes, bytearray, memoryview)):
        return bytes(b).decode("utf-8")
    return b


def describe(entries):
    if not entries:
        return None
    msg, d = entries[0]
    return {
        "body": body(entries[0]),
        "deliveryCount": msg.delivery_count or 0,
        "firstAcquirer": bool(msg.first_acquirer),
        "settled": bool(d.settled),  # settled by the broker
    }


def settle(entries, state=Delivery.ACCEPTED):
    for _, d in entries:
        d.update(state)
        d.settle()


def credit_drain(c):
    s = c.sender(ADDRESS)
    fact("sendOutcomes", c.send_all(s, ["m%d" % i for i in range(1, 6)]))
    r = c.receiver(ADDRESS)
    # A broker may answer a drain before messages that were just stored reach the link (Artemis
    # does): drain again until the expected messages came, never granting more than asked for.
    first = c.drain_until(r, 2)
    fact("firstDrain", [body(e) for e in first])
    fact("creditAfterFirstDrain", r.credit)
    second = c.drain_until(r, 3, credit=10)
    fact("secondDrain", [body(e) for e in second])
    fact("creditAfterSecondDrain", r.credit)
    third = c.drain(r, 10)
    fact("emptyDrain", [body(e) for e in third])
    fact("creditAfterEmptyDrain", r.credit)
    settle(first + second)
    start = len(r.collect.got)
    r.flow(1)
    fact("laterSend", c.send_all(s, ["later"]))
    c.conn.wait(lambda: len(r.collect.got) > start, timeout=TIMEOUT, msg="the later message")
    later = r.collect.got[start:]
    fact("creditFlowDelivery", [body(e) for e in later])
    settle(later)


REDELIVERED = ("released", "modified-failed")


def outcomes(c):
    dlq_for = json.loads(EXTRA) if EXTRA else {}
    for kind in ["accepted", "released", "modified-failed", "modified-undeliverable", "rejected"]:
        queue = ADDRESS + "-" + kind
        s = c.sender(queue)
        c.send_all(s, [kind])
        r = c.receiver(queue)
        first = c.take(r, 1)
        fact(kind + ".first", describe(first))
        _, d = first[0]
        if kind == "accepted":
            d.update(Delivery.ACCEPTED)
        elif kind == "released":
            d.update(Delivery.RELEASED)
        elif kind == "modified-failed":
            d.local.failed = True
            d.update(Delivery.MODIFIED)
        elif kind == "modified-undeliverable":
            d.local.undeliverable = True
            d.update(Delivery.MODIFIED)
        else:
            d.local.condition = Condition("amqp:internal-error", "test")
            d.update(Delivery.REJECTED)
        d.settle()
        # A message that comes back may take a moment (the broker requeues it); one that must not
        # come back is checked with a drain.
        same = c.take(r, 1, timeout=10) if kind in REDELIVERED else c.drain(r, 1)
        fact(kind + ".sameLink", describe(same))
        settle(same)
        r.close()
        r2 = c.receiver(queue)
        other = c.drain(r2, 1)
        fact(kind + ".newLink", describe(other))
        settle(other)
        r2.close()
        if queue in dlq_for:
            r3 = c.receiver(dlq_for[queue])
            dead = c.take(r3, 1, timeout=10)
            fact(kind + ".deadLetter", describe(dead))
            settle(dead)
            r3.close()
        s.close()


def presettled(c):
    s = c.sender(ADDRESS, options=AtMostOnce())
    fact("senderSettleMode", s.link.remote_snd_settle_mode)
    for i in range(10):
        s.send(Message(body="p%d" % i))
    r = c.receiver(ADDRESS, options=AtMostOnce())
    fact("receiverSettleMode", r.remote_snd_settle_mode)
    got = []
    deadline = time.monotonic() + 15
    while len(got) < 10 and time.monotonic() < deadline:
        got += c.drain(r, 10 - len(got))
    fact("received", [body(e) for e in got])
    fact("allSettled", all(d.settled for _, d in got))
    for _, d in got:
        d.settle()
    r.close()
    after = c.receiver(ADDRESS)
    left = c.drain(after, 10)
    fact("leftAfterPresettledReceive", [body(e) for e in left])
    settle(left)


def dynamic(c):
    r = c.receiver(None, options=DynamicSource())
    src = r.remote_source.address
    fact("dynamicSourceAddress", src or "")
    s = c.sender(src)
    fact("sendToDynamicSource", c.send_all(s, ["to the dynamic source"]))
    got = c.take(r, 1)
    fact("dynamicSourceReceived", [body(e) for e in got])
    settle(got)

    ds = c.sender(None, options=DynamicTarget())
    tgt = ds.link.remote_target.address
    fact("dynamicTargetAddress", tgt or "")
    r2 = c.receiver(tgt)
    fact("sendToDynamicTarget", c.send_all(ds, ["to the dynamic target"]))
    got2 = c.take(r2, 1)
    fact("dynamicTargetReceived", [body(e) for e in got2])
    settle(got2)


def large(c):
    size = int(EXTRA or 1048576)
    payload = os.urandom(size)
    s = c.sender(ADDRESS)
    fact("sent", {"size": size, "sha256": hashlib.sha256(payload).hexdigest()})
    fact("outcome", c.send_all(s, [payload], inferred=True))
    r = c.receiver(ADDRESS)
    got = c.take(r, 1)
    data = bytes(got[0][0].body)
    fact("received", {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    settle(got)


def many_links(c):
    n = int(EXTRA or 50)
    receivers = [c.receiver("%s-%d" % (ADDRESS, i)) for i in range(n)]
    senders = [c.sender("%s-%d" % (ADDRESS, i)) for i in range(n)]
    fact("linksOpen", len(receivers) + len(senders))
    distinct = []
    for link in receivers + [s.link for s in senders]:
        if not any(link.session == known for known in distinct):
            distinct.append(link.session)
    fact("sessions", len(distinct))
    accepted = 0
    for i, s in enumerate(senders):
        accepted += c.send_all(s, ["link %d" % i]).count("accepted")
    fact("accepted", accepted)
    matched = 0
    for i, r in enumerate(receivers):
        got = c.take(r, 1)
        matched += 1 if body(got[0]) == "link %d" % i else 0
        settle(got)
    fact("matched", matched)


def typed_send(c):
    """One message with typed application properties and the RocketMQ tag and keys annotations,
    for a RocketMQ consumer to read (AmqpRawToRocketMqInteropTest)."""
    s = c.sender(ADDRESS)
    m = Message(
        id="raw-" + EXTRA,
        subject="RawSubject",
        annotations={symbol("x-opt-rocketmq-tags"): "TagRaw", symbol("x-opt-rocketmq-keys"): "rk1 rk2"},
        properties={
            "client": EXTRA,
            "count": int32(10),
            "big": ulong(1099511627776),
            "flag": True,
            "sym": symbol("a-symbol"),
            "at": timestamp(1700000000123),
        },
        body="from " + EXTRA,
    )
    d = s.link.send(m)
    c.conn.wait(lambda: d.remote_state, timeout=TIMEOUT, msg="outcome of the typed send")
    d.settle()
    fact("outcome", [OUTCOMES.get(d.remote_state, str(d.remote_state))])


def v2(c):
    """RabbitMQ 4's address v2 (docs/rabbitmq.md "Addresses"): EXTRA (JSON) names a queue bound to
    amq.topic, a declared exchange bound to a second queue with a key, all declared beforehand by
    the Java side through /management; names and keys go percent-encoded into the addresses."""
    n = json.loads(EXTRA)

    def enc(name):
        return quote(name, safe="")

    topic = c.sender("/exchanges/amq.topic/" + enc(n["topicKey"]))
    lost = c.sender("/exchanges/amq.topic/" + enc(n["unroutableKey"]))
    fact("topicOutcomes", c.send_all(topic, ["t1"]) + c.send_all(lost, ["lost"]))
    x = c.sender("/exchanges/" + enc(n["exchange"]) + "/" + enc(n["key"]))
    fact("exchangeOutcomes", c.send_all(x, ["x1"]))
    q = c.sender("/queues/" + enc(n["queue"]))
    fact("queueOutcomes", c.send_all(q, ["q1"]))

    def annotated(entry):
        a = entry[0].annotations or {}
        return {"body": body(entry), "exchange": a.get(symbol("x-exchange")),
                "routingKey": a.get(symbol("x-routing-key"))}

    tr = c.receiver("/queues/" + enc(n["topicQueue"]))
    tgot = c.take(tr, 1)
    fact("topicReceived", [annotated(e) for e in tgot])
    settle(tgot)
    fact("topicLeft", [body(e) for e in c.drain(tr, 5)])
    qr = c.receiver("/queues/" + enc(n["queue"]))
    qgot = c.take(qr, 2)
    fact("queueReceived", sorted([annotated(e) for e in qgot], key=lambda d: d["body"]))
    settle(qgot)

    # Refused addresses: the attach is answered with a null terminus, then a detach with an error.
    def refused(make, sender):
        try:
            link = make()
            link = link.link if hasattr(link, "link") else link
            c.conn.wait(lambda: link.state & Endpoint.REMOTE_CLOSED, timeout=TIMEOUT,
                        msg="the refusal of a bad address")
        except LinkDetached as e:
            link = e.link
        terminus = link.remote_target if sender else link.remote_source
        cond = link.remote_condition
        return {"nullTerminus": terminus.type == Terminus.UNSPECIFIED,
                "condition": cond.name if cond else None}

    bad = {}
    for a in ["/exchanges/amq.default/k", "/exchanges/" + enc(n["absent"]) + "/k", "/queues"]:
        bad["target " + a] = refused(lambda: c.sender(a), True)
    for a in ["/queues/a%zz", "/exchanges/amq.topic"]:
        bad["source " + a] = refused(lambda: c.receiver(a), False)
    fact("refused", bad)


SCENARIOS = {
    "credit-drain": credit_drain,
    "outcomes": outcomes,
    "presettled": presettled,
    "dynamic": dynamic,
    "large": large,
    "many-links": many_links,
    "typed-send": typed_send,
    "v2": v2,
}


def main():
    run = SCENARIOS.get(SCENARIO)
    if run is None:
        raise ValueError("unknown scenario " + SCENARIO)
    c = Client()
    try:
        run(c)
        fact("done", True)
    finally:
        c.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for the Java side, which prints the whole output
        sys.stdout.write("error=%s: %s\n" % (type(e).__name__, str(e).replace("\n", " | ")))
        sys.stdout.flush()
        os._exit(1)
