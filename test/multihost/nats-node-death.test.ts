/**
 * Three NATS nodes, streams with three replicas, two hosts: the node leading the events stream
 * is killed mid-chat. Writes pause for the election; commands wait and then succeed; nothing
 * acknowledged is lost, nothing is doubled, and every client holds the same stream.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ChatUser, compareStreams, openClient } from '../helpers/chat-stream.js';
import { waitUntil } from '../../src/processes.js';
import { startHost } from '../helpers/hosts.js';
import { natsTest, startNats } from '../helpers/nats.js';

natsTest('a NATS node killed mid-chat (R3): commands wait, then succeed; nothing lost, nothing doubled', async (t) => {
  const nats = await startNats(t, 3);
  const [a, b] = await Promise.all([
    startHost(t, nats.urls, { nodeName: 'a', replicas: 3 }),
    startHost(t, nats.urls, { nodeName: 'b', replicas: 3 }),
  ]);
  const users = await Promise.all(
    ['u0', 'u1', 'u2', 'u3'].map((nick, i) => ChatUser.join(t, (i % 2 === 0 ? a : b).port, nick)),
  );
  const nc = await connect({ servers: nats.urls.split(',') });
  const leader = (await (await jetstreamManager(nc)).streams.info('CHAT_EVENTS')).cluster?.leader;
  await nc.close();
  const node = nats.nodes.find((candidate) => candidate.name === leader);
  if (node === undefined) throw new Error(`no leader among the nodes: ${String(leader)}`);

  const acknowledged: number[] = [];
  const talk = async (user: ChatUser, from: number, to: number) => {
    // Commands may wait for the election, never fail: every MSG is answered OK <seq>.
    for (let n = from; n < to; n++) acknowledged.push(await user.say(`${user.nick} line ${n}`, 30_000));
  };
  await Promise.all(users.map((user) => talk(user, 0, 5)));
  await Promise.all([...users.map((user) => talk(user, 5, 15)), node.kill()]);
  t.is(acknowledged.length, 60);
  t.is(new Set(acknowledged).size, 60, 'no seq given twice');
  const last = Math.max(...acknowledged);
  t.is(last, 60 + 4, 'four JOINs and sixty messages, nothing stored twice');
  await waitUntil(() => users.every((user) => user.lastSeq >= last), 'every message on every client', 30_000);
  t.deepEqual(compareStreams(users, last), []);
  const reader = openClient(t, b.port);
  await reader.next();
  t.is(await reader.command('HISTORY 1000', 20_000), `OK ${last}`);
  for (const seq of acknowledged)
    t.true(
      reader.lines.some((line) => line.startsWith(`MSG ${seq} `)),
      `seq ${seq}`,
    );
});
