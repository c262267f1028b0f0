/**
 * The multi-host state against real nats-server: several JetStreamChat instances (hosts without
 * their primaries and workers) on one NATS, as many hosts would be.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { ExecutionContext } from 'ava';
import { createLogger, silentLogger } from '../../src/log.js';
import type { HubSide } from '../../src/hub/chat-state.js';
import { JetStreamChat } from '../../src/multihost/jetstream-chat.js';
import type { MultiHostTiming } from '../../src/multihost/join-chat.js';
import type { PublicEvent } from '../../src/protocol/wire.js';
import { natsTest, startNats } from '../helpers/nats.js';
import { waitUntil } from '../../src/processes.js';

const FAST = {
  heartbeatInterval: 200,
  hostTimeout: 1_500,
  fenceAfter: 3_000,
  stallAfter: 2_000,
};

interface TestHost {
  chat: JetStreamChat;
  events: PublicEvent[];
  nicks: Set<string>;
  fenced: number;
}

async function openHost(
  t: ExecutionContext,
  servers: string,
  nodeName: string,
  replicas = 1,
  timing: Partial<MultiHostTiming> = FAST,
): Promise<TestHost> {
  const chat = await JetStreamChat.open({
    servers: servers.split(','),
    replicas,
    nodeName,
    history: 100,
    log: process.env.CHAT_TEST_LOG === undefined ? silentLogger : createLogger(nodeName, 'debug'),
    timing,
  });
  const host: TestHost = { chat, events: [], nicks: new Set(), fenced: 0 };
  t.teardown(() => chat.close());
  // The hub's side, reduced to what these tests look at.
  const hub: HubSide = {
    deliver: (event) => host.events.push(event),
    localNicks: () => [...host.nicks],
    deliverDm: (nick) => host.nicks.has(nick),
    kickLocal: (nick, _why, done) => {
      done(host.nicks.delete(nick));
    },
    fence: () => {
      host.fenced++;
    },
    rejoined: () => {},
  };
  await chat.start(hub);
  return host;
}

natsTest('hosts started at the same moment against a fresh NATS all come up, with one epoch', async (t) => {
  const nats = await startNats(t);
  const hosts = await Promise.all(['a', 'b', 'c', 'd'].map((name) => openHost(t, nats.urls, name)));
  t.is(new Set(hosts.map((host) => host.chat.epoch)).size, 1);
  t.true(hosts.every((host) => host.chat.lastSeq === 0));
});

natsTest(
  'every host gets every public event, in one gap-free order; publish resolves once it is delivered',
  async (t) => {
    const nats = await startNats(t);
    const [a, b] = await Promise.all([openHost(t, nats.urls, 'a'), openHost(t, nats.urls, 'b')]);
    const seqs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).chat.publish('MSG', `u${i % 2}`, `line ${i}`)),
    );
    // Each publisher had the event on its feed by the time its publish resolved.
    for (const [i, seq] of seqs.entries()) {
      const publisher = i % 2 === 0 ? a : b;
      t.true(publisher.events.some((event) => event.seq === seq && event.text === `line ${i}`));
    }
    t.deepEqual(
      [...seqs].sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    await waitUntil(() => a.events.length === 40 && b.events.length === 40, 'both hosts to hold 40 events', 20_000);
    t.deepEqual(a.events, b.events);
  },
);

natsTest('a host that starts later loads the retained events, then follows', async (t) => {
  const nats = await startNats(t);
  const a = await openHost(t, nats.urls, 'a');
  for (let i = 0; i < 5; i++) await a.chat.publish('MSG', 'alice', `early ${i}`);
  const b = await openHost(t, nats.urls, 'b');
  t.is(b.chat.lastSeq, 5);
  t.deepEqual(
    b.events.map((event) => event.text),
    ['early 0', 'early 1', 'early 2', 'early 3', 'early 4'],
  );
  await a.chat.publish('MSG', 'alice', 'later');
  await waitUntil(() => b.events.length === 6, 'host b to hold 6 events', 20_000);
  t.is(b.events[5]?.seq, 6);
});

natsTest('a nick claimed at the same moment on several hosts has exactly one winner, case-insensitively', async (t) => {
  const nats = await startNats(t);
  const hosts = await Promise.all(['a', 'b', 'c'].map((name) => openHost(t, nats.urls, name)));
  for (let round = 0; round < 15; round++) {
    const spellings = [`Nick${round}`, `nick${round}`, `NICK${round}`];
    const results = await Promise.all(hosts.map((host, i) => host.chat.claim(spellings[i] ?? '')));
    t.is(results.filter(Boolean).length, 1, `round ${round}: ${results.join(',')}`);
  }
});

natsTest('a released nick can be claimed again, and only then', async (t) => {
  const nats = await startNats(t);
  const [a, b] = await Promise.all([openHost(t, nats.urls, 'a'), openHost(t, nats.urls, 'b')]);
  t.true(await a.chat.claim('alice'));
  t.false(await b.chat.claim('ALICE'));
  await a.chat.release('alice');
  t.true(await b.chat.claim('Alice'));
  t.false(await a.chat.claim('alice'));
});

natsTest('a node name that a live host uses is refused', async (t) => {
  const nats = await startNats(t);
  await openHost(t, nats.urls, 'same');
  await t.throwsAsync(openHost(t, nats.urls, 'same'), { message: /node name same is in use by a live host/ });
});

natsTest('a dead host is noticed, and its users leave exactly once, whoever survives', async (t) => {
  const nats = await startNats(t);
  const [a, b, c] = await Promise.all([
    openHost(t, nats.urls, 'a'),
    openHost(t, nats.urls, 'b'),
    openHost(t, nats.urls, 'c'),
  ]);
  for (const nick of ['alice', 'bob', 'carol']) {
    t.true(await c.chat.claim(nick));
    c.nicks.add(nick);
    await c.chat.publish('JOIN', nick, '');
  }
  await waitUntil(() => a.events.length === 3 && b.events.length === 3, 'both hosts to hold 3 events', 20_000);
  // Dies without a word: no goodbye heartbeat, no LEAVEs of its own.
  await c.chat.abandon();
  await waitUntil(() => a.events.length === 6 && b.events.length === 6, 'both hosts to hold 6 events', 20_000);
  const leaves = a.events.slice(3);
  t.deepEqual(leaves.map((event) => `${event.type} ${event.nick} ${event.text}`).sort(), [
    'LEAVE alice host lost',
    'LEAVE bob host lost',
    'LEAVE carol host lost',
  ]);
  t.deepEqual(b.events, a.events);
  // Nicks are free again, and nobody publishes a second round of LEAVEs.
  t.true(await a.chat.claim('alice'));
  await new Promise((resolve) => setTimeout(resolve, FAST.hostTimeout));
  t.is(a.events.length, 6);
});

natsTest('USERS, DMs and KICKs reach the host holding the user', async (t) => {
  const nats = await startNats(t);
  const [a, b] = await Promise.all([openHost(t, nats.urls, 'a'), openHost(t, nats.urls, 'b')]);
  await a.chat.claim('alice');
  a.nicks.add('alice');
  await b.chat.claim('Bob');
  b.nicks.add('Bob');
  await waitUntil(() => a.chat.peers === 1 && b.chat.peers === 1, 'each host to see the other', 20_000);
  t.deepEqual(await a.chat.users(), ['alice', 'Bob']);
  t.deepEqual(await b.chat.users(), ['alice', 'Bob']);
  t.true(await a.chat.dm('Bob', 'DM …'));
  t.false(await a.chat.dm('nobody', 'DM …'));
  t.true(await a.chat.kick('BOB', 'kicked: by alice'));
  t.false(b.nicks.has('Bob'));
});

natsTest(
  'with three NATS nodes (R3), killing the stream leader mid-chat loses nothing and doubles nothing',
  async (t) => {
    const nats = await startNats(t, 3);
    // The default timings: an election (4–9 s) must not fence a host, as FAST's 3 s would (and a
    // fenced host writes nothing more).
    const [a, b] = await Promise.all([openHost(t, nats.urls, 'a', 3, {}), openHost(t, nats.urls, 'b', 3, {})]);
    const leader = await streamLeader(nats.urls);
    t.true(
      nats.nodes.some((node) => node.name === leader),
      `leader ${leader}`,
    );
    const published: Array<Promise<number>> = [];
    for (let i = 0; i < 60; i++) {
      published.push((i % 2 === 0 ? a : b).chat.publish('MSG', 'alice', `line ${i}`));
      if (i === 20) await nats.nodes.find((node) => node.name === leader)?.kill();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seqs = await Promise.all(published);
    t.deepEqual(
      [...seqs].sort((x, y) => x - y),
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    await waitUntil(() => a.events.length === 60 && b.events.length === 60, 'both hosts to hold 60 events', 30_000);
    t.deepEqual(a.events.map((event) => event.text).sort(), Array.from({ length: 60 }, (_, i) => `line ${i}`).sort());
    t.deepEqual(b.events, a.events);
  },
);

/** The name of the node leading the events stream. */
async function streamLeader(servers: string): Promise<string> {
  const nc = await connect({ servers: servers.split(',') });
  try {
    const info = await (await jetstreamManager(nc)).streams.info('CHAT_EVENTS');
    return info.cluster?.leader ?? '';
  } finally {
    await nc.close();
  }
}
