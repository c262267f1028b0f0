/** Chat across workers over real sockets: registration, public stream, DMs, history, operators. */
import test from 'ava';
import { connect, publicEvents, registered, type LineClient } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { defined } from '../helpers/defined.js';

const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

test('six clients on several workers see one identical public stream, and DMs cross workers', async (t) => {
  const server = await startServer(t, { workers: 3 });
  const nicks = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay'];
  const clients: Array<{ client: LineClient; workerId: number }> = [];
  for (const nick of nicks) clients.push(await registered(t, server.port, nick));
  t.true(new Set(clients.map((c) => c.workerId)).size >= 3, 'the clients are spread over the workers');

  for (const [i, { client }] of clients.entries()) {
    const reply = await client.command(`MSG hello from ${nicks[i]}`);
    t.regex(reply, /^OK \d+$/);
  }
  const [ann, ben, cat, , , fay] = clients;
  if (ann === undefined || ben === undefined || cat === undefined || fay === undefined) throw new Error('six clients');
  const lastSeq = Number((await fay.client.command('MSG last')).split(' ')[1]);
  for (const { client } of clients) await client.seen((line) => line.startsWith(`MSG ${lastSeq} `));

  const reference = publicEvents(ann.client);
  for (const { client } of clients) {
    const stream = publicEvents(client);
    // Each client sees everything from its own JOIN on: compare the common tail.
    t.deepEqual(stream, reference.slice(reference.length - stream.length));
    const seqs = stream.map((line) => Number(line.split(' ')[1]));
    const [first = 0] = seqs;
    t.deepEqual(
      seqs,
      seqs.map((_, i) => first + i),
      'seqs increase by one',
    );
  }
  t.regex(reference.at(-1) ?? '', new RegExp(`^MSG ${lastSeq} ${TIME} fay last$`));

  t.not(ann.workerId, ben.workerId);
  t.is(await ann.client.command('DM ben psst, ben'), 'OK');
  t.regex(await ben.client.until((line) => line.startsWith('DM ')), new RegExp(`^DM ${TIME} ann psst, ben$`));
  t.false(
    cat.client.lines.some((line) => line.startsWith('DM ')),
    'nobody else gets the DM',
  );
});

test('REGISTER: JOIN reaches everyone, the newcomer too, before its OK', async (t) => {
  const server = await startServer(t);
  const { client: first } = await registered(t, server.port, 'first');
  const { client } = await connect(t, server.port);
  client.send('REGISTER second');
  t.regex(await client.next(), new RegExp(`^JOIN \\d+ ${TIME} second$`));
  t.is(await client.next(), 'OK second');
  t.regex(await first.until((line) => line.startsWith('JOIN ')), / second$/);
});

test('a nick is unique across workers, whatever its case', async (t) => {
  const server = await startServer(t);
  const { workerId } = await registered(t, server.port, 'Alice');
  const { client, welcome } = await connect(t, server.port);
  t.not(Number(welcome.split(' ')[2]), workerId, 'the second client is on the other worker');
  t.regex(await client.command('REGISTER aLiCe'), /^ERROR NICK_TAKEN /);
  t.is(await client.command('REGISTER alice2'), 'OK alice2');
});

test('MSG answers with the seq of the event the sender received just before', async (t) => {
  const server = await startServer(t);
  const { client } = await registered(t, server.port, 'alice');
  client.send('MSG hello, world');
  const event = await client.next();
  const reply = await client.next();
  t.regex(event, new RegExp(`^MSG (\\d+) ${TIME} alice hello, world$`));
  t.is(reply, `OK ${event.split(' ')[1]}`);
});

test('WELCOME names the protocol, the worker, the last seq and the epoch', async (t) => {
  const server = await startServer(t);
  const { client } = await registered(t, server.port, 'alice');
  const seq = (await client.command('MSG hi')).split(' ')[1];
  const { welcome } = await connect(t, server.port);
  t.regex(welcome, new RegExp(`^WELCOME chat/1 \\d+ ${seq} [a-z0-9]+$`));
});

test('USERS lists everyone on every worker, sorted by lower-cased nick; it works before REGISTER', async (t) => {
  const server = await startServer(t);
  for (const nick of ['bob', 'Alice', 'carol', 'Zed', '_under']) await registered(t, server.port, nick);
  const { client } = await connect(t, server.port);
  t.is(await client.command('USERS'), 'OK 5 _under Alice bob carol Zed');
});

test('HISTORY n and HISTORY SINCE replay public events in live form, then OK count', async (t) => {
  const server = await startServer(t, { args: ['--history', '5'] });
  const { client } = await registered(t, server.port, 'alice');
  const seqs: number[] = [];
  for (let i = 1; i <= 6; i++) seqs.push(Number((await client.command(`MSG m${i}`)).split(' ')[1]));
  const live = publicEvents(client);

  const { client: reader } = await connect(t, server.port);
  reader.send('HISTORY 3');
  const replay = [await reader.next(), await reader.next(), await reader.next()];
  t.deepEqual(replay, live.slice(-3));
  t.is(await reader.next(), 'OK 3');

  reader.send(`HISTORY SINCE ${seqs[3]}`);
  t.deepEqual([await reader.next(), await reader.next()], live.slice(-2));
  t.is(await reader.next(), 'OK 2');

  t.is(await reader.command(`HISTORY SINCE ${seqs[5]}`), 'OK 0');
  reader.send('HISTORY 100');
  const all: string[] = [];
  for (;;) {
    const line = await reader.next();
    if (line.startsWith('OK')) {
      t.is(line, 'OK 5', 'only the last --history events are retained');
      break;
    }
    all.push(line);
  }
  t.deepEqual(all, live.slice(-5));
  reader.send('HISTORY SINCE 0');
  t.is(
    await reader.next(),
    defined(all[0], 'a retained event'),
    'SINCE an old seq starts at the oldest retained event',
  );
});

test('operators: AUTH, ANNOUNCE to everyone, KICK with BYE for the target and LEAVE for the rest', async (t) => {
  const server = await startServer(t, { args: ['--admin-token', 'open-sesame-operator-token'] });
  const { client: op } = await registered(t, server.port, 'op');
  const { client: troll } = await registered(t, server.port, 'troll');
  const { client: bystander } = await registered(t, server.port, 'bystander');

  t.regex(await troll.command('ANNOUNCE I am the boss'), /^ERROR FORBIDDEN /);
  t.regex(await troll.command('KICK op'), /^ERROR FORBIDDEN /);
  t.is(await op.command('AUTH open-sesame-operator-token'), 'OK');
  const announced = await op.command('ANNOUNCE maintenance at noon');
  t.regex(announced, /^OK \d+$/);
  t.regex(
    await bystander.until((l) => l.startsWith('ANNOUNCE ')),
    new RegExp(`^ANNOUNCE ${announced.slice(3)} ${TIME} maintenance at noon$`),
  );

  t.regex(await op.command('KICK nobody'), /^ERROR NO_SUCH_NICK /);
  t.is(await op.command('KICK troll spamming'), 'OK');
  t.is(await troll.until((l) => l.startsWith('BYE ')), 'BYE kicked: spamming');
  await troll.closedByPeer();
  t.regex(
    await bystander.until((l) => l.startsWith('LEAVE ')),
    new RegExp(`^LEAVE \\d+ ${TIME} troll kicked: spamming$`),
  );
  t.false(
    troll.lines.some((l) => l.startsWith('LEAVE ')),
    'the kicked user gets BYE, not its own LEAVE',
  );
});

test('QUIT: OK, then the server closes; the others see LEAVE quit: <reason>', async (t) => {
  const server = await startServer(t);
  const { client: alice } = await registered(t, server.port, 'alice');
  const { client: bob } = await registered(t, server.port, 'bob');
  t.is(await alice.command('QUIT see you'), 'OK');
  await alice.closedByPeer();
  t.regex(await bob.until((l) => l.startsWith('LEAVE ')), new RegExp(`^LEAVE \\d+ ${TIME} alice quit: see you$`));
  const { client: again } = await connect(t, server.port);
  t.is(await again.command('REGISTER alice'), 'OK alice', 'the nick is free again');
});

test('a client that vanishes (RST) is noticed: LEAVE disconnected, nick freed', async (t) => {
  const server = await startServer(t);
  const { client: gone } = await registered(t, server.port, 'gone');
  const { client: watcher } = await registered(t, server.port, 'watcher');
  gone.socket.resetAndDestroy();
  t.regex(await watcher.until((l) => l.startsWith('LEAVE ')), / gone disconnected$/);
  t.is(await watcher.command('USERS'), 'OK 1 watcher');
});

test('pipelined commands are answered in order, local answers never overtaking the hub', async (t) => {
  const server = await startServer(t);
  const { client } = await connect(t, server.port);
  client.write('PING 1\nREGISTER pipe\nPING 2\nMSG a\nUSERS\nPING 3\nHISTORY 1\nHELP\nFOO\n');
  const replies: string[] = [];
  while (replies.length < 9) {
    const line = await client.next();
    if (/^(OK|ERROR)( |$)/.test(line)) replies.push(line.split(' ').slice(0, 2).join(' '));
  }
  t.deepEqual(replies, [
    'OK 1',
    'OK pipe',
    'OK 2',
    `OK ${String(replies[3]?.split(' ')[1])}`,
    'OK 1',
    'OK 3',
    'OK 1',
    'OK REGISTER',
    'ERROR UNKNOWN_COMMAND',
  ]);
});

test('NICK (extension): everyone on every worker sees LEAVE "nick changed to" then JOIN, seqs without a gap; USERS, DM and the old nick follow at once', async (t) => {
  const server = await startServer(t);
  const { client: alice, workerId } = await registered(t, server.port, 'alice');
  const { client: carol, workerId: carolWorker } = await registered(t, server.port, 'carol');
  t.not(workerId, carolWorker, 'the two are on different workers');

  await alice.until((line) => line.endsWith(' carol'));
  alice.send('NICK bob');
  const leave = await alice.next();
  t.regex(leave, new RegExp(`^LEAVE (\\d+) ${TIME} alice nick changed to bob$`));
  const seq = Number(leave.split(' ')[1]);
  t.regex(await alice.next(), new RegExp(`^JOIN ${seq + 1} ${TIME} bob$`));
  t.is(await alice.next(), 'OK bob');
  await carol.until((line) => line.startsWith(`JOIN ${seq + 1} `));
  t.deepEqual(publicEvents(carol).slice(-2), publicEvents(alice).slice(-2));

  t.is(await carol.command('USERS'), 'OK 2 bob carol');
  t.is(await carol.command('DM bob are you alice?'), 'OK');
  t.regex(await alice.until((line) => line.startsWith('DM ')), / carol are you alice\?$/);
  t.regex(await carol.command('DM alice hello?'), /^ERROR NO_SUCH_NICK /);
  t.regex(await carol.command('NICK BOB'), /^ERROR NICK_TAKEN /);
  t.regex(await alice.command('MSG still me'), /^OK \d+$/);
  t.regex(await carol.until((line) => line.startsWith('MSG ')), / bob still me$/);
  const { client: newcomer } = await connect(t, server.port);
  t.is(await newcomer.command('REGISTER Alice'), 'OK Alice', 'the old nick is free for anyone');
});
