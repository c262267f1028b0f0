/** The console client as a child process in non-TTY mode (stdin a pipe), against the real server. */
import test from 'ava';
import { connect, registered } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { freePort } from '../helpers/chat-stream.js';
import { runCli } from './helpers/cli-process.js';
import { defined } from '../helpers/defined.js';

const TIME = String.raw`\[\d\d:\d\d:\d\d\]`;

test('sends, receives, /msg, /users, unknown commands and /quit; exits 0 after the quit', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const { client: bob } = await registered(t, server.port, 'bob');

  const alice = runCli(t, ['--port', String(server.port), '--nick', 'alice']);
  await alice.line(/^\* connected to worker \d+ as alice$/);
  await bob.until((line) => / alice$/.test(line) && line.startsWith('JOIN '));

  alice.send('hello from alice');
  await bob.until((line) => /^MSG \d+ \S+ alice hello from alice$/.test(line));

  t.regex(await bob.command('MSG hi alice'), /^OK \d+$/);
  t.regex(await alice.line(/<bob> hi alice/), new RegExp(`^${TIME} <bob> hi alice$`));

  alice.send('/msg bob psst');
  await bob.until((line) => /^DM \S+ alice psst$/.test(line));
  t.regex(await alice.line(/psst/), new RegExp(`^${TIME} -> \\*bob\\* psst$`));

  t.is(await bob.command('DM alice back at you'), 'OK');
  t.regex(await alice.line(/back at you/), new RegExp(`^${TIME} \\*bob\\* back at you$`));

  alice.send('/users');
  t.is(await alice.line(/users:/), '* 2 users: alice bob');

  alice.send('/frobnicate');
  t.is(await alice.line(/frobnicate/), '! unknown command /frobnicate (try /help)');

  alice.send('/quit see you');
  t.is(await alice.exited, 0);
  await bob.until((line) => /^LEAVE \d+ \S+ alice quit: see you$/.test(line));
  t.is(alice.lines.at(-1), '* quit');
  t.is(alice.stderr, '');
  t.false(
    bob.lines.some((line) => line.includes('frobnicate')),
    'an unknown slash command sends nothing',
  );
});

test('at the end of its input it quits cleanly after every reply is in, and prints all it received', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const { client: bob } = await registered(t, server.port, 'bob');

  const alice = runCli(t, ['--port', String(server.port), '--nick', 'alice']);
  alice.send('one');
  alice.send('two');
  alice.send('/users');
  alice.send('/msg nobody are you there');
  alice.endInput();

  t.is(await alice.exited, 0);
  await bob.until((line) => /^LEAVE \d+ \S+ alice quit$/.test(line));
  const said = bob.lines.filter((line) => line.startsWith('MSG ')).map((line) => line.split(' ').slice(3).join(' '));
  t.deepEqual(said, ['alice one', 'alice two']);
  const printed = alice.lines.map((line) => line.replace(/^\[\d\d:\d\d:\d\d\] /, '[T] '));
  const tail = printed.slice(-5);
  t.deepEqual(tail.slice(0, 3), ['[T] <alice> one', '[T] <alice> two', '* 2 users: alice bob']);
  t.regex(tail[3] ?? '', /^! .+ \(NO_SUCH_NICK\)$/);
  t.is(tail[4], '* quit');
});

test('piped input beyond the server rate limit is paced, not refused: every line arrives, in order', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const { client: bob } = await registered(t, server.port, 'bob');
  const alice = runCli(t, ['--port', String(server.port), '--nick', 'alice']);
  const count = 70;
  for (let i = 1; i <= count; i++) alice.send(`line ${i}`);
  alice.endInput();
  t.is(await alice.exited, 0);
  const said = bob.lines.filter((line) => line.startsWith('MSG ')).map((line) => line.split(' ').slice(4).join(' '));
  t.deepEqual(
    said,
    Array.from({ length: count }, (_, i) => `line ${i + 1}`),
  );
  t.false(alice.lines.some((line) => line.includes('RATE_LIMITED')));
  t.regex(
    alice.stderr,
    /^clusterchat-client: input comes faster than the server's rate limit allows: sending it at 15 lines\/s \(bursts of 30\), nothing is dropped\n$/,
    'said once, on stderr',
  );
});

test('/history is framed: a header with the count, the replayed lines, then an end marker', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const { client: bob } = await registered(t, server.port, 'bob');
  for (const text of ['one', 'two']) t.regex(await bob.command(`MSG ${text}`), /^OK \d+$/);
  const alice = runCli(t, ['--port', String(server.port), '--nick', 'alice']);
  await alice.line(/^\* connected to worker \d+ as alice$/);
  alice.send('/history 3');
  await alice.line(/^\* end of history$/);
  const from = alice.lines.indexOf('* history: last 3 events');
  t.true(from >= 0, alice.stdout);
  t.deepEqual(
    alice.lines.slice(from, from + 5).map((line) => line.replace(/^\[\d\d:\d\d:\d\d\] /, '[T] ')),
    ['* history: last 3 events', '[T] <bob> one', '[T] <bob> two', '[T] --> alice joined', '* end of history'],
  );
  alice.endInput();
  t.is(await alice.exited, 0);
});

test('/history right behind a message: the header counts the lines in the frame, the message shows once, live', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const { client: bob } = await registered(t, server.port, 'bob');
  t.regex(await bob.command('MSG one'), /^OK \d+$/);
  const alice = runCli(t, ['--port', String(server.port), '--nick', 'alice']);
  await alice.line(/^\* connected to worker \d+ as alice$/);
  // One write: the HISTORY leaves before the message's own event comes back.
  alice.send('fresh words\n/history 3');
  await alice.line(/^\* end of history$/);
  await alice.line(/<alice> fresh words$/);
  const from = alice.lines.findIndex((line) => line.startsWith('* history: last '));
  const to = alice.lines.indexOf('* end of history');
  t.is(alice.lines[from], `* history: last ${to - from - 1} events`, alice.stdout);
  t.is(alice.lines.filter((line) => line.endsWith('<alice> fresh words')).length, 1);
  alice.endInput();
  t.is(await alice.exited, 0);
});

test('/nick: everyone is told, the client shows one line for it, and after its worker is killed it comes back under the new nick', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const { client: carol } = await registered(t, server.port, 'carol');
  const alice = runCli(t, ['--port', String(server.port), '--nick', 'alice']);
  const connected = await alice.line(/^\* connected to worker \d+ as alice$/);
  const workerId = Number(connected.split(' ')[4]);

  alice.send('/nick bob');
  t.regex(await alice.line(/is now known as/), new RegExp(`^${TIME} \\* alice is now known as bob$`));
  await carol.until((line) => /^LEAVE \d+ \S+ alice nick changed to bob$/.test(line));
  await carol.until((line) => /^JOIN \d+ \S+ bob$/.test(line));
  t.is(await carol.command('USERS'), 'OK 2 bob carol');
  alice.send('/nick carol');
  t.regex(await alice.line(/NICK_TAKEN/), /^! nick carol is taken \(NICK_TAKEN\)$/);

  process.kill(server.pidOf(workerId), 'SIGKILL');
  await alice.line(/^\* reconnected to worker \d+ as bob$/);
  t.is(await carol.command('USERS'), 'OK 2 bob carol');
  alice.endInput();
  t.is(await alice.exited, 0);
  const changed = alice.lines.findIndex((line) => line.endsWith('* alice is now known as bob'));
  t.is(alice.lines[changed + 1], '! nick carol is taken (NICK_TAKEN)', 'the JOIN of the change is not shown again');
});

test('exits 1 with one readable line when nothing listens on the port', async (t) => {
  const port = await freePort();
  const alice = runCli(t, ['--port', String(port), '--nick', 'alice', '--retries', '1']);
  alice.endInput();
  t.is(await alice.exited, 1);
  t.is(alice.stderr, `clusterchat-client: cannot connect to 127.0.0.1:${port}: connection refused (after 1 attempt)\n`);
});

test('exits 1 when its nick is taken, saying so', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const { client: bob } = await connect(t, server.port);
  t.is(await bob.command('REGISTER alice'), 'OK alice');
  const alice = runCli(t, ['--port', String(server.port), '--nick', 'alice']);
  alice.endInput();
  t.is(await alice.exited, 1);
  t.regex(alice.stderr, /^clusterchat-client: .*\(NICK_TAKEN\)\n$/);
});

test('refuses bad options and a missing nick without a terminal, naming the problem', async (t) => {
  const table: Array<[args: string[], message: RegExp]> = [
    [
      ['--port', 'seven', '--nick', 'alice'],
      /must be a port number from 1 to 65535 \(the port the server listens on\)\n/,
    ],
    [['--port', '70000', '--nick', 'alice'], /must be a port number from 1 to 65535/],
    [['--port', '0', '--nick', 'alice'], /must be a port number from 1 to 65535/],
    [['--nick', 'not a nick'], /nick must be 1 to 24 characters: letters A-Z a-z, digits 0-9, "_" or "-"\.\n/],
    [['--retries', '0', '--nick', 'alice'], /retries must be an integer from 1 to 100/],
    [['--port', '7000'], /--nick is required when stdin is not a terminal/],
  ];
  for (const [args, message] of table) {
    const cli = runCli(t, args);
    cli.endInput();
    t.is(await cli.exited, 1, args.join(' '));
    t.regex(cli.stderr, message, args.join(' '));
    t.is(cli.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}`);
  }
});

test('when its worker is killed it says so, reconnects, replays what it missed, and carries on', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const alice = runCli(t, ['--port', String(server.port), '--nick', 'alice']);
  const connected = defined(/worker (\d+)/.exec(await alice.line(/^\* connected to worker \d+ as alice$/)), 'a worker');
  const workerId = Number(connected[1]);
  const { client: bob } = await registered(t, server.port, 'bob');
  await alice.line(/--> bob joined$/);

  process.kill(server.pidOf(workerId), 'SIGKILL');
  await alice.line(/^\* disconnected: /);
  alice.send('typed while away');
  await alice.line(/^\* reconnected to worker \d+ as alice$/);
  t.regex(await alice.line(/^\* replayed /), /^\* replayed [1-9]\d* events?$/);
  await bob.until((line) => /^MSG \d+ \S+ alice typed while away$/.test(line));
  t.regex(await alice.line(/<-- alice left/), /<-- alice left \(worker lost\)$/);

  t.regex(await bob.command('MSG welcome back'), /^OK \d+$/);
  await alice.line(/<bob> welcome back$/);
  alice.endInput();
  t.is(await alice.exited, 0);
});

test('a kick ends it with exit code 1 and the reason', async (t) => {
  const server = await startServer(t, { workers: 2, args: ['--admin-token', 'sekret-operator-token'] });
  const alice = runCli(t, ['--port', String(server.port), '--nick', 'alice']);
  await alice.line(/^\* connected to worker \d+ as alice$/);
  const { client: admin } = await connect(t, server.port);
  t.is(await admin.command('AUTH sekret-operator-token'), 'OK');
  t.is(await admin.command('REGISTER admin'), 'OK admin');
  t.is(await admin.command('KICK alice flooding'), 'OK');
  t.is(await alice.exited, 1);
  t.regex(alice.lines.at(-1) ?? '', /^! disconnected for good: kicked/);
});
