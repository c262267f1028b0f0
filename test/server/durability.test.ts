/** What a client has seen is on disk: a primary killed mid-chat never restarts behind it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { connect, publicEvents, registered } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';

test('after kill -9 of the primary mid-stream, a restart knows every seq a client saw', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterchat-durability-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const args = ['--rate-limit', '100000', '--rate-burst', '100000'];
  const first = await startServer(t, { dataDir, args });
  const { client: talker } = await registered(t, first.port, 'talker');
  const { client: reader } = await registered(t, first.port, 'reader');
  // Kill from inside the socket callback, the moment the reader holds events, so the primary
  // dies with its newest batch as fresh as possible.
  reader.socket.on('data', () => first.process.kill('SIGKILL'));
  talker.write('MSG burst\n'.repeat(2000));
  await reader.closedByPeer();
  const highestSeen = Math.max(...publicEvents(reader).map((line) => Number(line.split(' ')[1])));
  const oldEpoch = first.output.match(/epoch (\S+),/)![1];

  const second = await startServer(t, { dataDir, args });
  const { welcome } = await connect(t, second.port);
  const [, , , lastSeq, epoch] = welcome.split(' ');
  t.is(epoch, oldEpoch, 'the same seq space');
  t.true(Number(lastSeq) >= highestSeen, `restarted at ${lastSeq}, a client had seen ${highestSeen}`);
});
