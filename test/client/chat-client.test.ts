/** ChatClient against the real server (`dist/primary.js`), ended by each test's teardown. */
import test, { type ExecutionContext } from 'ava';
import { ChatClient } from '../../src/client/chat-client.js';
import type { ChatClientSettings } from '../../src/client/client-options.js';
import { tcpConnector } from '../../src/client/tcp-transport.js';
import { ServerReplyError } from '../../src/client/errors.js';
import type { DirectMessage } from '../../src/client/events.js';
import type { PublicEvent } from '../../src/protocol/index.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { nextEvent } from '../helpers/next-event.js';
import { defined } from '../helpers/defined.js';

interface Recorded {
  client: ChatClient;
  events: PublicEvent[];
  dms: DirectMessage[];
  workerId: number;
}

async function join(
  t: ExecutionContext,
  server: TestServer,
  nick: string,
  options: Partial<ChatClientSettings> = {},
): Promise<Recorded> {
  const client = new ChatClient({
    connector: tcpConnector({ host: '127.0.0.1', port: server.port }),
    nick,
    ...options,
  });
  t.teardown(() => {
    client.close();
  });
  const events: PublicEvent[] = [];
  const dms: DirectMessage[] = [];
  client.on('public', (event) => events.push(event));
  client.on('dm', (dm) => dms.push(dm));
  const welcome = await client.connect();
  return { client, events, dms, workerId: welcome.workerId };
}

/** Resolves once `recorded` has seen the public event `seq`. */
async function seen(recorded: Recorded, seq: number): Promise<void> {
  while (recorded.events.every((event) => event.seq < seq)) await nextEvent(recorded.client, 'public');
}

function shape(event: PublicEvent): string {
  return `${event.seq} ${event.type} ${event.nick} ${event.text}`;
}

test('registers, chats, and sends DMs across workers', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const alice = await join(t, server, 'alice');
  const bob = await join(t, server, 'bob');

  const seq = await alice.client.message('hello, world');
  await seen(bob, seq);
  t.like(bob.events.at(-1), { type: 'MSG', seq, nick: 'alice', text: 'hello, world' });
  t.like(
    alice.events.find((event) => event.seq === seq),
    { nick: 'alice', text: 'hello, world' },
  );

  const dmArrived = nextEvent(bob.client, 'dm');
  await alice.client.dm('bob', 'psst');
  const [dm] = await dmArrived;
  t.like(dm, { from: 'alice', text: 'psst' });
});

test('pipelined commands resolve in the order sent, errors included', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const alice = await join(t, server, 'alice');
  await join(t, server, 'bob');
  const results = await Promise.allSettled([
    alice.client.message('one'),
    alice.client.users(),
    alice.client.dm('nobody', 'hello?'),
    alice.client.message('two'),
    alice.client.ping('tok'),
    alice.client.announce('not an operator'),
  ]);
  const [one, users, dm, two, ping, announce] = results;
  t.is(one.status, 'fulfilled');
  t.is(two.status, 'fulfilled');
  if (one.status === 'fulfilled' && two.status === 'fulfilled') t.true(two.value > one.value);
  t.deepEqual(users, { status: 'fulfilled', value: ['alice', 'bob'] });
  t.is(dm.status === 'rejected' && dm.reason instanceof ServerReplyError ? dm.reason.code : dm.status, 'NO_SUCH_NICK');
  t.deepEqual(ping, { status: 'fulfilled', value: 'tok' });
  t.is(
    announce.status === 'rejected' && announce.reason instanceof ServerReplyError
      ? announce.reason.code
      : announce.status,
    'FORBIDDEN',
  );
});

test('after its worker is killed, the client reconnects and ends with the same public stream as one that never dropped', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const alice = await join(t, server, 'alice');
  let observer = await join(t, server, 'observer1');
  for (let n = 2; observer.workerId === alice.workerId; n++) {
    if (n > 20) throw new Error('every connection landed on the same worker');
    observer.client.close();
    observer = await join(t, server, `observer${n}`);
  }
  await seen(alice, defined(observer.events[0], "the observer's first event").seq);
  await alice.client.message('before the crash');
  await observer.client.message('seen by both');

  const disconnected = nextEvent(alice.client, 'disconnected');
  const replayed = nextEvent(alice.client, 'replayed');
  process.kill(server.pidOf(alice.workerId), 'SIGKILL');
  await disconnected;
  const missed = [observer.client.message('while alice is away, 1'), observer.client.message('while alice is away, 2')];
  const queued = [alice.client.message('queued 1'), alice.client.message('queued 2')];
  t.is(alice.client.queuedCount, 2);

  const [info] = await replayed;
  t.true(info.count >= 1, 'at least the LEAVE of our old session was replayed');
  t.is(info.missing, 0);
  t.false(info.newEpoch);
  t.not(defined(alice.client.welcome, 'a WELCOME').workerId, alice.workerId, 'served by another worker now');
  const queuedSeqs = await Promise.all(queued);
  await Promise.all(missed);
  const last = await observer.client.message('the end');
  await Promise.all([seen(alice, last), seen(observer, last)]);

  const from = defined(observer.events[0], "the observer's first event").seq;
  t.deepEqual(alice.events.filter((event) => event.seq >= from).map(shape), observer.events.map(shape));
  const seqs = alice.events.map((event) => event.seq);
  const [first = 0] = seqs;
  t.deepEqual(
    seqs,
    seqs.map((_, i) => first + i),
    'no seq missing, none twice',
  );
  const texts = alice.events.map((event) => `${event.type} ${event.nick} ${event.text}`);
  t.true(texts.includes('LEAVE alice worker lost'));
  t.true(texts.includes(`MSG ${observer.client.nick} while alice is away, 1`));
  t.deepEqual(
    queuedSeqs.map((seq) => alice.events.find((event) => event.seq === seq)?.text),
    ['queued 1', 'queued 2'],
  );
});

test('when the server shuts down, the client says why, retries, and gives up after its retries', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const alice = await join(t, server, 'alice', { retries: 2 });
  const disconnected = nextEvent(alice.client, 'disconnected');
  const closed = nextEvent(alice.client, 'closed');
  await server.stop();
  t.like((await disconnected)[0], { reason: 'server shutting down', willReconnect: true });
  const [info] = await closed;
  t.regex(info.reason, /^gave up after 2 attempts/);
});

test('an operator announces and kicks; the kicked client is closed for good, without reconnecting', async (t) => {
  const server = await startServer(t, { workers: 2, args: ['--admin-token', 'sekret-operator-token'] });
  const admin = await join(t, server, 'admin');
  const bob = await join(t, server, 'bob');
  let reconnects = 0;
  bob.client.on('reconnecting', () => reconnects++);

  await t.throwsAsync(admin.client.auth('wrong'), { instanceOf: ServerReplyError, code: 'AUTH_FAILED' });
  await admin.client.auth('sekret-operator-token');
  const seq = await admin.client.announce('maintenance at noon');
  await seen(bob, seq);
  t.like(bob.events.at(-1), { type: 'ANNOUNCE', text: 'maintenance at noon' });

  const closed = nextEvent(bob.client, 'closed');
  await admin.client.kick('bob', 'too loud');
  const [info] = await closed;
  t.regex(info.reason, /^kicked/);
  t.is(bob.client.state, 'closed');
  t.is(reconnects, 0);
});
