/**
 * A whole host dies (kill -9 of its primary and workers): the other host lets its users go,
 * exactly once each; console clients given both hosts with --server land on the live one under
 * their own nicks and fill their gap; the dead host, restarted, rejoins the chat.
 */
import { runCli } from '../client/helpers/cli-process.js';
import { ChatUser } from '../helpers/chat-stream.js';
import { killHost, startHost } from '../helpers/hosts.js';
import { natsTest, startNats } from '../helpers/nats.js';

natsTest(
  'a host killed -9: one LEAVE host lost per user, clients move to the live host and fill the gap; it rejoins',
  async (t) => {
    const nats = await startNats(t);
    const [a, b] = await Promise.all([
      startHost(t, nats.urls, { nodeName: 'a' }),
      startHost(t, nats.urls, { nodeName: 'b' }),
    ]);
    const carol = await ChatUser.join(t, a.port, 'carol');
    const servers = ['--server', `127.0.0.1:${b.port}`, '--server', `127.0.0.1:${a.port}`];
    const alice = runCli(t, [...servers, '--nick', 'alice', '--retries', '10']);
    const bob = runCli(t, [...servers, '--nick', 'bob', '--retries', '10']);
    await alice.line(/^\* connected to worker \d+ as alice$/);
    await bob.line(/^\* connected to worker \d+ as bob$/);
    alice.send('before the crash');
    await carol.client.seen((line) => /^MSG \d+ \S+ alice before the crash$/.test(line));

    const killedAt = Date.now();
    killHost(b);
    await carol.client.seen((line) => /^LEAVE \d+ \S+ alice host lost$/.test(line), 20_000);
    await carol.client.seen((line) => /^LEAVE \d+ \S+ bob host lost$/.test(line), 20_000);
    t.true(Date.now() - killedAt < 15_000, `noticed after ${Date.now() - killedAt} ms`);
    t.is(await carol.say('while you were away'), carol.lastSeq);

    // Both come back on host a, under their own nicks, with what was said meanwhile.
    for (const user of [alice, bob]) {
      await user.line(/^\* reconnected to worker \d+ as (alice|bob)$/);
      await user.line(/<carol> while you were away$/);
    }
    await carol.client.seen((line) => /^JOIN \d+ \S+ alice$/.test(line));
    await carol.client.seen((line) => /^JOIN \d+ \S+ bob$/.test(line));
    alice.send('back again');
    await carol.client.seen((line) => /^MSG \d+ \S+ alice back again$/.test(line));

    // The dead host restarted under its name rejoins the chat: same epoch, same stream.
    const b2 = await startHost(t, nats.urls, { nodeName: 'b' });
    const dave = await ChatUser.join(t, b2.port, 'dave');
    t.is(dave.welcome.epoch, carol.welcome.epoch);
    t.is(await dave.client.command('USERS'), 'OK 4 alice bob carol dave');
    await dave.say('hello from the restarted host');
    await carol.client.seen((line) => /^MSG \d+ \S+ dave hello from the restarted host$/.test(line));
    await alice.line(/<dave> hello from the restarted host$/);

    // Exactly one LEAVE host lost for each (the restarted host found nothing left to reap), and
    // none for anybody else.
    const lost = (nick: string) =>
      carol.client.lines.filter((line) => line.startsWith('LEAVE ') && line.endsWith(` ${nick} host lost`)).length;
    t.is(lost('alice'), 1);
    t.is(lost('bob'), 1);
    t.is(lost('dave') + lost('carol'), 0);
  },
);
