/**
 * ChatClient against a scripted server: reconnecting, the gap fill, and what ends the client
 * for good. Serial: sinon's fake timers (the backoff, the nick retry) are global.
 */
import test, { type ExecutionContext } from 'ava';
import { ClientClosedError, ConnectionLostError, QueueFullError } from '../../src/client/errors.js';
import { waitUntil } from '../../src/processes.js';
import { nextEvent } from '../helpers/next-event.js';
import { connected, dropAndAccept, fakeClock, greet, T } from './helpers/scripted-client.js';

test.serial(
  'reconnect: retries a taken nick, replays the gap merged with live events by seq, then sends what was queued',
  async (t) => {
    const clock = fakeClock(t);
    const { server, client, seqs, peer } = await connected(t);
    peer.send(`MSG 12 ${T} bob before`);
    await waitUntil(() => seqs.length === 2, 'seq 12');

    const inFlight = client.ping('lost');
    t.is(await peer.next(), 'PING lost');
    const disconnected = nextEvent(client, 'disconnected');
    const reconnecting = nextEvent(client, 'reconnecting');
    peer.close();
    t.like((await disconnected)[0], { willReconnect: true });
    await t.throwsAsync(inFlight, { instanceOf: ConnectionLostError });
    t.like((await reconnecting)[0], { attempt: 1, delayMs: 125 });
    const queued = client.message('typed while away');
    t.is(client.queuedCount, 1);

    clock.tick(125);
    const again = await server.accept();
    again.send(`WELCOME chat/1 2 15 ep1`);
    t.is(await again.next(), 'REGISTER alice');
    again.send('ERROR NICK_TAKEN nick alice is taken');
    await waitUntil(() => clock.countTimers() > 0, 'the nick retry timer');
    clock.tick(125);
    t.is(await again.next(), 'REGISTER alice');
    const replayed = nextEvent(client, 'replayed');
    again.send(`JOIN 16 ${T} alice`, 'OK alice');
    t.is(await again.next(), 'HISTORY SINCE 12');
    t.deepEqual(seqs, [11, 12], 'nothing is shown until the replay is complete');
    again.send(
      `MSG 17 ${T} carol overtook the replay`,
      'PING mid',
      `LEAVE 13 ${T} alice worker lost`,
      `MSG 14 ${T} bob missed`,
      `MSG 15 ${T} bob missed too`,
      `JOIN 16 ${T} alice`,
      'OK 4',
    );
    t.is(await again.next(), 'PONG mid');
    const [info] = await replayed;
    t.deepEqual(info, { count: 5, missing: 0, newEpoch: false, epoch: 'ep1' });
    t.deepEqual(seqs, [11, 12, 13, 14, 15, 16, 17]);

    t.is(await again.next(), 'MSG typed while away');
    again.send(`MSG 18 ${T} alice typed while away`, 'OK 18');
    t.is(await queued, 18);
    t.deepEqual(seqs, [11, 12, 13, 14, 15, 16, 17, 18]);
    t.is(client.state, 'ready');
  },
);

async function reconnectTo(t: ExecutionContext, epoch: string, expectedHistory: string, replay: string[]) {
  const clock = fakeClock(t);
  const { server, client, seqs, peer } = await connected(t);
  const again = await dropAndAccept(client, server, peer, clock);
  const gaps: Array<{ after: number; missing: number }> = [];
  client.on('gap', (gap) => gaps.push(gap));
  const replayed = nextEvent(client, 'replayed');
  await greet(again, 2, 40, epoch);
  t.is(await again.next(), expectedHistory);
  again.send(...replay);
  const [info] = await replayed;
  return { info, seqs, gaps };
}

test.serial(
  'a reconnect that finds a new epoch asks for the last events instead, and says old seqs are void',
  async (t) => {
    const { info, seqs, gaps } = await reconnectTo(t, 'ep2', 'HISTORY 50', [
      `MSG 38 ${T} bob a`,
      `MSG 39 ${T} bob b`,
      `JOIN 40 ${T} alice`,
      'OK 3',
    ]);
    t.deepEqual(info, { count: 3, missing: 0, newEpoch: true, epoch: 'ep2' });
    t.deepEqual(seqs, [11, 38, 39, 40]);
    t.deepEqual(gaps, []);
  },
);

test.serial('a replay that starts after the seq asked for reports the events no longer retained', async (t) => {
  const { info, seqs, gaps } = await reconnectTo(t, 'ep1', 'HISTORY SINCE 11', [
    `MSG 39 ${T} bob a`,
    `JOIN 40 ${T} alice`,
    'OK 2',
  ]);
  t.deepEqual(info, { count: 2, missing: 27, newEpoch: false, epoch: 'ep1' });
  t.deepEqual(gaps, [{ after: 11, missing: 27 }]);
  t.deepEqual(seqs, [11, 39, 40]);
});

test.serial('a kick is final: no reconnect, pending commands fail', async (t) => {
  const { client, peer } = await connected(t);
  const closed = nextEvent(client, 'closed');
  let reconnects = 0;
  client.on('reconnecting', () => reconnects++);
  const pending = client.users();
  t.is(await peer.next(), 'USERS');
  peer.send('BYE kicked: too loud');
  peer.close();
  t.like((await closed)[0], { reason: 'kicked: too loud' });
  await t.throwsAsync(pending, { instanceOf: ConnectionLostError });
  await t.throwsAsync(client.message('still here?'), { instanceOf: ClientClosedError });
  t.is(reconnects, 0);
  t.is(client.state, 'closed');
});

test.serial('quit sends QUIT after the commands before it and ends without reconnecting', async (t) => {
  const { client, peer } = await connected(t);
  const closed = nextEvent(client, 'closed');
  const sent = client.message('bye all');
  const quit = client.quit('done');
  t.is(await peer.next(), 'MSG bye all');
  t.is(await peer.next(), 'QUIT done');
  peer.send(`MSG 12 ${T} alice bye all`, 'OK 12', 'OK');
  peer.socket.end();
  t.is(await sent, 12);
  await quit;
  t.like((await closed)[0], { reason: 'quit' });
  await t.throwsAsync(client.message('late'), { instanceOf: ClientClosedError });
});

test.serial('while disconnected at most maxQueued commands wait; the next is rejected at once', async (t) => {
  fakeClock(t);
  const { client, peer } = await connected(t, { maxQueued: 2 });
  const reconnecting = nextEvent(client, 'reconnecting');
  peer.close();
  await reconnecting;
  const waiting = [client.message('one'), client.message('two')];
  await t.throwsAsync(client.message('three'), { instanceOf: QueueFullError, message: /2 commands already queued/ });
  client.close();
  for (const command of waiting) await t.throwsAsync(command, { instanceOf: ClientClosedError });
});
