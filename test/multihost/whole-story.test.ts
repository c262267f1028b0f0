/**
 * The story from outside, as it will be checked: two hosts started at the same moment against a
 * 3-node NATS cluster (R3), clients spread over both, a NATS node killed mid-chat, then a whole
 * host killed mid-chat, then the dead host restarted — while the NATS node is still down — and
 * rejoining. Every client's stream is compared seq by seq; every acknowledged message is looked up.
 */
import { ChatUser, compareStreams, openClient } from '../helpers/chat-stream.js';
import { waitUntil } from '../../src/processes.js';
import { killHost, startHost } from '../helpers/hosts.js';
import { natsTest, startNats } from '../helpers/nats.js';

natsTest(
  'R3: a NATS node dies, then a host dies and comes back; streams agree, nothing acknowledged is lost',
  async (t) => {
    const nats = await startNats(t, 3);
    const [a, b] = await Promise.all([
      startHost(t, nats.urls, { nodeName: 'a', replicas: 3 }),
      startHost(t, nats.urls, { nodeName: 'b', replicas: 3 }),
    ]);
    const onA = await Promise.all(['a0', 'a1', 'a2'].map((nick) => ChatUser.join(t, a.port, nick)));
    const onB = await Promise.all(['b0', 'b1', 'b2'].map((nick) => ChatUser.join(t, b.port, nick)));
    const acknowledged: number[] = [];
    const talk = async (users: ChatUser[], round: string) => {
      await Promise.all(users.map(async (user) => acknowledged.push(await user.say(`${user.nick} ${round}`, 30_000))));
    };
    await talk([...onA, ...onB], 'before');

    const node = nats.nodes[0];
    if (node === undefined) throw new Error('no NATS node');
    await Promise.all([node.kill(), talk([...onA, ...onB], 'while a NATS node dies')]);
    await talk([...onA, ...onB], 'after the NATS node died');

    killHost(b);
    for (const user of onA) {
      for (const gone of onB) await user.client.seen((line) => line.endsWith(` ${gone.nick} host lost`), 20_000);
    }
    await talk(onA, 'after host b died');

    const b2 = await startHost(t, nats.urls, { nodeName: 'b', replicas: 3 });
    const back = await ChatUser.join(t, b2.port, 'b0');
    acknowledged.push(await back.say('back on the restarted host', 30_000));
    await talk(onA, 'to the restarted host');

    const last = Math.max(...acknowledged);
    const everyone = [...onA, back];
    await waitUntil(() => everyone.every((user) => user.lastSeq >= last), 'every message on every client', 20_000);
    t.deepEqual(compareStreams(onA, last), []);
    t.deepEqual(compareStreams([onA[0] as ChatUser, back], last), []);
    for (const gone of onB) {
      const leaves = (onA[0]?.client.lines ?? []).filter((line) => line.endsWith(` ${gone.nick} host lost`));
      t.is(leaves.length, 1, `${gone.nick} left once`);
    }
    const reader = openClient(t, b2.port);
    await reader.next();
    t.regex(await reader.command('HISTORY 1000', 20_000), /^OK \d+$/);
    for (const seq of acknowledged)
      t.true(
        reader.lines.some((line) => line.startsWith(`MSG ${seq} `)),
        `seq ${seq}`,
      );
  },
);
