/**
 * A host frozen past the others' timeout (SIGSTOP of its primary and workers: what a long pause
 * of its machine or a healed network partition looks like from NATS) is taken for lost, and its
 * users are let go. When it runs again it must not act for them — their nicks may belong to
 * others by now — nor take the hosts it did not hear from while frozen for dead: it fences, its
 * old users are closed without a word reaching the chat, and it rejoins.
 */
import { ChatUser } from '../helpers/chat-stream.js';
import { startHost } from '../helpers/hosts.js';
import { natsTest, startNats } from '../helpers/nats.js';

natsTest('a host frozen past the timeout: no event from its old users, nobody else let go; it rejoins', async (t) => {
  const nats = await startNats(t);
  const [a, b] = await Promise.all([
    startHost(t, nats.urls, { nodeName: 'a', workers: 1 }),
    startHost(t, nats.urls, { nodeName: 'b', workers: 1 }),
  ]);
  const carol = await ChatUser.join(t, a.port, 'carol');
  const bob = await ChatUser.join(t, b.port, 'bob');
  const frozen = [b.process.pid ?? 0, ...b.workerPids.values()];
  const signal = (name: NodeJS.Signals) => {
    for (const pid of frozen) process.kill(pid, name);
  };
  t.teardown(() => {
    signal('SIGCONT');
  });

  signal('SIGSTOP');
  const lost = await carol.client.seen((line) => /^LEAVE \d+ \S+ bob host lost$/.test(line), 20_000);
  // Another bob on host a: whatever the frozen host's bob says would be put in his mouth.
  await ChatUser.join(t, a.port, 'bob');
  const thawedAt = b.output.length;
  signal('SIGCONT');
  bob.client.send('MSG a ghost from the frozen host');
  await b.waitFor(/rejoined the chat as incarnation/, thawedAt);
  await bob.client.seen((line) => line.startsWith('BYE '));

  const after = await carol.say('after the thaw');
  const reply = await carol.client.command(`HISTORY SINCE ${lost.split(' ')[1] ?? ''}`);
  const stored = carol.client.lines.slice(-Number(reply.slice(3)) - 1, -1);
  t.deepEqual(
    stored.map((line) => line.split(' ').slice(3).join(' ')),
    ['bob', 'carol after the thaw'],
    `stored since bob was let go:\n${stored.join('\n')}`,
  );
  t.is(Number(stored.at(-1)?.split(' ')[1]), after);
  t.false(
    carol.client.lines.some((line) => line.endsWith(' carol host lost')),
    'the thawed host let carol go',
  );
  t.false(
    bob.client.lines.some((line) => /^OK \d+$/.test(line)),
    'the frozen host acknowledged a message',
  );
});
