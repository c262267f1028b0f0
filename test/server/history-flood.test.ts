/**
 * Issue 14 §1 end to end (bench/history-flood.ts has the full figures): connections that ask for
 * far more history than they read take no process down, cost each process little, and the
 * bystanders keep chatting.
 */
import test from 'ava';
import { chatAsBystanders, fillHistory, peakRssMib, startAttackers } from '../../bench/history-flood.js';
import { connect, publicEvents } from '../helpers/line-client.js';
import { NO_ADDRESS_LIMITS, startServer } from '../helpers/server.js';

/** The bound the README states for every process under this attack. */
const PEAK_RSS_BOUND_MIB = 200;

test('16 connections each asking 40 × HISTORY 1000 of 4 KiB events and reading nothing crash nothing', async (t) => {
  const server = await startServer(t, {
    args: ['--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS],
  });
  await fillHistory(server.port, 1000, 4000);
  const attackers = startAttackers(server.port, 16);
  t.teardown(() => {
    for (const socket of attackers) socket.destroy();
  });
  const figures = await chatAsBystanders(server.port, 2, 2_000);
  t.true(figures.sent > 0);
  t.is(figures.echoed, figures.sent, 'every bystander message came back');
  t.notRegex(server.output, /died|lagging|unresponsive|RangeError/);
  const pids = [server.process.pid ?? 0, ...server.workerPids.values()];
  for (const pid of pids) {
    const peak = peakRssMib(pid);
    t.not(peak, undefined, `process ${pid} is alive`);
    t.true((peak ?? Infinity) < PEAK_RSS_BOUND_MIB, `process ${pid} peaked at ${peak} MiB`);
  }
});

test('a worker forked after the events answers HISTORY from the ring the primary seeded it with', async (t) => {
  const server = await startServer(t, {
    workers: 1,
    args: ['--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS],
  });
  // 4 MB of history: the seed comes in several bounded messages.
  await fillHistory(server.port, 1000, 4000);
  const from = server.output.length;
  process.kill(server.pidOf(1), 'SIGKILL');
  await server.waitFor(/worker 2 listening/, from);
  const { client, welcome } = await connect(t, server.port);
  t.regex(welcome, /^WELCOME chat\/1 2 1002 /);
  t.is(await client.command('HISTORY 1000', 30_000), 'OK 1000');
  const events = publicEvents(client);
  t.is(events.length, 1000);
  t.regex(events[0] ?? '', /^MSG 3 \S+ filler x{4000}$/);
  t.regex(events.at(-1) ?? '', /^LEAVE 1002 \S+ filler (disconnected|worker lost)$/);
});
