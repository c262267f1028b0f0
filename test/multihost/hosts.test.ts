/**
 * Several hosts serving one chat through NATS JetStream, driven from outside as users would:
 * real primaries with workers, a real nats-server, clients over TCP.
 */
import { compareStreams, ChatUser, openClient, parseWelcome } from '../helpers/chat-stream.js';
import { waitUntil } from '../../src/processes.js';
import { startHost } from '../helpers/hosts.js';
import { natsSerialTest, startNats } from '../helpers/nats.js';

natsSerialTest('two hosts started at the same moment serve one chat: one epoch, one stream, seq for seq', async (t) => {
  const nats = await startNats(t);
  const [a, b] = await Promise.all([
    startHost(t, nats.urls, { nodeName: 'a' }),
    startHost(t, nats.urls, { nodeName: 'b' }),
  ]);
  const users: ChatUser[] = [];
  for (let i = 0; i < 6; i++) users.push(await ChatUser.join(t, (i % 2 === 0 ? a : b).port, `user${i}`));
  t.is(new Set(users.map((user) => user.welcome.epoch)).size, 1, 'one epoch on both hosts');
  const acknowledged: number[] = [];
  await Promise.all(
    users.map(async (user) => {
      for (let n = 0; n < 5; n++) acknowledged.push(await user.say(`${user.nick} says ${n}`));
    }),
  );
  const last = Math.max(...acknowledged);
  await waitUntil(() => users.every((user) => user.lastSeq >= last), 'every message everywhere');
  t.deepEqual(compareStreams(users, last), []);
  // A sender sees its own event before its OK, whichever host it is on.
  for (const user of users) {
    const lines = user.client.lines;
    const ok = lines.indexOf(`OK ${acknowledged[0]}`);
    if (ok >= 0) t.true(lines.slice(0, ok).some((line) => line.startsWith(`MSG ${acknowledged[0]} `)));
  }
  // Every acknowledged message is in the history, whichever host is asked.
  const reader = openClient(t, b.port);
  parseWelcome(await reader.next());
  const reply = await reader.command('HISTORY 1000');
  t.is(reply, `OK ${last}`);
  const history = reader.lines.filter((line) => line.startsWith('MSG '));
  for (const seq of acknowledged)
    t.true(
      history.some((line) => line.startsWith(`MSG ${seq} `)),
      `seq ${seq}`,
    );
});

natsSerialTest(
  'across hosts: one winner per nick race, USERS lists everyone, DM and KICK reach the other host',
  async (t) => {
    const nats = await startNats(t);
    const [a, b] = await Promise.all([
      startHost(t, nats.urls, { nodeName: 'a', args: ['--admin-token', 'a-long-enough-secret'] }),
      startHost(t, nats.urls, { nodeName: 'b', args: ['--admin-token', 'a-long-enough-secret'] }),
    ]);
    // The same REGISTER at the same moment on both hosts, many times: exactly one OK each round.
    for (let round = 0; round < 8; round++) {
      const contenders = [openClient(t, a.port), openClient(t, b.port), openClient(t, a.port), openClient(t, b.port)];
      await Promise.all(contenders.map((client) => client.next()));
      const spellings = [`Racer${round}`, `racer${round}`, `RACER${round}`, `rAcEr${round}`];
      const replies = await Promise.all(
        contenders.map((client, i) => client.command(`REGISTER ${spellings[i] ?? ''}`)),
      );
      t.is(replies.filter((reply) => reply.startsWith('OK ')).length, 1, replies.join(' | '));
      t.is(replies.filter((reply) => reply.startsWith('ERROR NICK_TAKEN ')).length, 3, replies.join(' | '));
      for (const client of contenders) client.close();
    }
    const alice = await ChatUser.join(t, a.port, 'alice');
    const bob = await ChatUser.join(t, b.port, 'Bob');
    const carol = await ChatUser.join(t, b.port, 'carol');
    // The racers' LEAVEs may still be on their way; USERS settles on the three of them.
    await waitUntil(
      async () => (await alice.client.command('USERS')) === 'OK 3 alice Bob carol',
      'USERS on host a to list the users of both hosts',
    );
    t.is(await carol.client.command('USERS'), 'OK 3 alice Bob carol');
    t.is(await alice.client.command('DM bob psst'), 'OK');
    await bob.client.seen((line) => /^DM \S+ alice psst$/.test(line));
    t.is(await bob.client.command('DM nobody hi'), 'ERROR NO_SUCH_NICK no such nick nobody');
    t.is(await alice.client.command('AUTH a-long-enough-secret'), 'OK');
    t.is(await alice.client.command('KICK carol spam'), 'OK');
    await carol.client.seen((line) => line === 'BYE kicked: spam');
    await bob.client.seen((line) => / carol kicked: spam$/.test(line) && line.startsWith('LEAVE '));
    // The nick is free again, on either host.
    const carol2 = await ChatUser.join(t, a.port, 'Carol');
    t.is(await carol2.client.command('USERS'), 'OK 3 alice Bob Carol');
  },
);
