/**
 * A host that loses NATS: commands wait, then fail with ERROR UNAVAILABLE past the deadline;
 * after 15 s it fences itself (BYE to its clients, new ones turned away) instead of serving a
 * chat that considers it gone, and /healthz says 503; when NATS is back it rejoins, and its
 * former users can come back.
 */
import { ChatUser, openClient, parseWelcome } from '../helpers/chat-stream.js';
import { startHost } from '../helpers/hosts.js';
import { natsTest, startNats } from '../helpers/nats.js';

natsTest(
  'without NATS a host answers UNAVAILABLE, fences itself after 15 s, and rejoins when NATS is back',
  async (t) => {
    const nats = await startNats(t);
    const node = nats.nodes[0];
    if (node === undefined) throw new Error('no NATS node');
    const host = await startHost(t, nats.urls, { nodeName: 'lonely' });
    const alice = await ChatUser.join(t, host.port, 'alice');
    const epoch = alice.welcome.epoch;
    await alice.say('while all is well');

    const lostAt = Date.now();
    await node.kill();
    t.regex(await alice.client.command('MSG into the void', 20_000), /^ERROR UNAVAILABLE /);
    t.true(Date.now() - lostAt >= 10_000, 'the command waited for NATS to come back first');
    await alice.client.seen((line) => line.startsWith('BYE ') && line.includes('lost contact with the chat'), 20_000);
    await alice.client.closedByPeer();
    t.true(Date.now() - lostAt >= 15_000, `fenced after ${Date.now() - lostAt} ms`);
    const turnedAway = openClient(t, host.port);
    await turnedAway.next();
    await turnedAway.seen((line) => line.startsWith('BYE '));
    // A load balancer polling /healthz stops sending users here.
    const health = await fetch(`${host.httpUrl}healthz`);
    t.is(health.status, 503);
    t.is(await health.text(), 'not serving: this host lost contact with the chat\n');

    await node.restart();
    // Back in the chat: alice can register again once her old session is let go; same epoch.
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('the host did not rejoin within 30 s');
      const client = openClient(t, host.port);
      const welcome = parseWelcome(await client.next());
      const reply = await client.command('REGISTER alice').catch(() => 'closed');
      client.close();
      if (reply === 'OK alice') {
        t.is(welcome.epoch, epoch);
        t.is((await fetch(`${host.httpUrl}healthz`)).status, 200, 'serving again');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const reader = openClient(t, host.port);
    await reader.next();
    await reader.command('HISTORY 100');
    const events = reader.lines
      .filter((line) => /^(MSG|JOIN|LEAVE) /.test(line))
      .map((line) => line.replace(/^(\w+) \d+ \S+ /, '$1 '));
    t.deepEqual(events.slice(0, 4), [
      'JOIN alice',
      'MSG alice while all is well',
      'LEAVE alice host lost',
      'JOIN alice',
    ]);
  },
);
