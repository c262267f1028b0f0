/** What a client has seen is on disk: a primary killed mid-chat never restarts behind it. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { connect, publicEvents, registered } from '../helpers/line-client.js';
import { startServer, NO_ADDRESS_LIMITS } from '../helpers/server.js';
import { defined } from '../helpers/defined.js';

test('after kill -9 of the primary mid-stream, a restart knows every seq a client saw', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterchat-durability-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const args = ['--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS];
  const first = await startServer(t, { dataDir, args });
  const { client: talker } = await registered(t, first.port, 'talker');
  const { client: reader } = await registered(t, first.port, 'reader');
  // Kill from inside the socket callback, the moment the reader holds events, so the primary
  // dies with its newest batch as fresh as possible.
  reader.socket.on('data', () => first.process.kill('SIGKILL'));
  talker.write('MSG burst\n'.repeat(2000));
  await reader.closedByPeer();
  const highestSeen = Math.max(...publicEvents(reader).map((line) => Number(line.split(' ')[1])));
  const [, oldEpoch] = defined(first.output.match(/epoch (\S+),/), 'the epoch in the log');

  const second = await startServer(t, { dataDir, args });
  const { welcome } = await connect(t, second.port);
  const [, , , lastSeq, epoch] = welcome.split(' ');
  t.is(epoch, oldEpoch, 'the same seq space');
  t.true(Number(lastSeq) >= highestSeen, `restarted at ${lastSeq}, a client had seen ${highestSeen}`);
});

test('a tampered history file is not trusted: no escape sequence is served, a seq jump to 2^53 crashes nothing', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterchat-tampered-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const time = '2026-11-24T11:09:21.123Z';
  const message = (seq: number, text: string) => JSON.stringify({ seq, time, type: 'MSG', nick: 'mallory', text });
  const lines = [
    '{"epoch":"abc123","version":1}',
    message(1, 'one'),
    message(2, 'two'),
    message(3, 'clear \u001b[2J your screen'),
    message(4, 'four'),
    message(2 ** 53 - 1, 'the end of exact integers'),
  ];
  await writeFile(path.join(dataDir, 'history.jsonl'), `${lines.join('\n')}\n`);

  const server = await startServer(t, { dataDir });
  const { client, welcome } = await connect(t, server.port);
  const [, , , lastSeq, epoch] = welcome.split(' ');
  t.not(epoch, 'abc123', 'a damaged file starts a new epoch');
  t.is(lastSeq, '4');
  t.is(await client.command('HISTORY 10'), 'OK 3');
  t.deepEqual(publicEvents(client), [
    `MSG 1 ${time} mallory one`,
    `MSG 2 ${time} mallory two`,
    `MSG 4 ${time} mallory four`,
  ]);
  t.is(await client.command('REGISTER alice'), 'OK alice');
  t.is(await client.command('MSG a'), 'OK 6');
  t.is(await client.command('MSG b'), 'OK 7');
  t.false(client.lines.some((line) => line.includes('\u001b')));
  t.regex(server.output, /history\.jsonl is damaged \(line 6 holds seq 9007199254740991/);
});

test('a restart never gives again the seq of a line it could not trust, and a seq of 2^53 is damage', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterchat-skipped-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const time = '2026-11-24T11:09:21.123Z';
  const message = (seq: number, text: string) => JSON.stringify({ seq, time, type: 'MSG', nick: 'mallory', text });
  const historyFile = path.join(dataDir, 'history.jsonl');
  await writeFile(
    historyFile,
    `${['{"epoch":"abc123","version":1}', message(1, 'one'), message(2, 'bad \u202e text')].join('\n')}\n`,
  );

  const first = await startServer(t, { dataDir });
  const { client, welcome } = await connect(t, first.port);
  t.is(welcome.split(' ').slice(3).join(' '), '2 abc123', 'the same epoch, past the skipped line');
  t.is(await client.command('REGISTER alice'), 'OK alice');
  t.regex(publicEvents(client).join('\n'), /^JOIN 3 \S+ alice$/m);
  await first.stop();

  await writeFile(historyFile, `${message(2 ** 53, 'a jump')}\n`, { flag: 'a' });
  const second = await startServer(t, { dataDir });
  const { welcome: again } = await connect(t, second.port);
  t.not(again.split(' ')[4], 'abc123', 'a damaged file starts a new epoch');
  t.regex(second.output, /history\.jsonl is damaged \(line \d+ holds seq 9007199254740992/);
});
