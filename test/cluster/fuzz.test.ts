/**
 * Thousands of random and hostile lines from many connections against a live server: afterwards
 * it still serves a normal client, no worker died, and no process grew without bound.
 */
import { once } from 'node:events';
import net from 'node:net';
import test from 'ava';
import { ChatUser, compareStreams } from '../helpers/chat-stream.js';
import { memoryOf, processEnded } from '../../bench/proc-stats.js';
import { startServer, NO_ADDRESS_LIMITS } from '../helpers/server.js';
import { defined } from '../helpers/defined.js';
import { VERBS as CHAT_VERBS } from '../../src/protocol/command.js';

const CONNECTIONS = 240;
const PARALLEL = 12;
const LINES_PER_CONNECTION = 30;
const MIB = 1024 * 1024;
/**
 * Peak resident memory allowed to any server process. An idle Node process here holds ~50 MiB
 * and the fuzz adds what is legitimately in flight (1 MiB lines, socket buffers), so 300 MiB
 * is far above normal; it is reached only if input is buffered without limit — the 128 MiB
 * lines without a newline below (256 MiB per worker) would alone push a buffering worker past it.
 */
const MAX_PEAK_RSS = 300 * MIB;
const UNENDING_LINES = 4;
const UNENDING_LINE_BYTES = 128 * MIB;
/** C0 controls but TAB, DEL, C1 controls: what must never reach another user's terminal. */
const CONTROL = /(?!\t)\p{Cc}/u;

/** A small seeded generator (mulberry32), so a failing run can be replayed from its logged seed. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Every verb, two in odd case, and a few that are no verbs at all. */
const VERBS = [...CHAT_VERBS, 'register', 'MsG', 'JOIN', ''];
const ARGUMENTS = [
  '',
  ' ',
  'SINCE',
  'SINCE -1',
  'SINCE 99999999999999999999',
  '-5',
  '0',
  '1e309',
  'NaN',
  '0x10',
  '1000000000',
  'alice',
  'a'.repeat(25),
  'bad nick!',
  'ünïcødé',
  '\u{1F600}',
  'x y z',
  '\t',
  'HISTORY 5',
];
const INVALID_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
];
const HOSTILE_TEXT = [
  '\x1b[2J\x1b[H',
  '\x1b]0;owned\x07',
  '\x1b[31mred\x1b[0m',
  '\u009b31m',
  '\u0085',
  '\x00',
  '\x7f',
  '\r',
  '\rMSG x',
  '\u202e',
  '\uFEFF',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return defined(items[Math.floor(random() * items.length)], 'an item to pick from');
}

/** One hostile line, LF included. */
function hostileLine(random: () => number): Buffer {
  const kind = random();
  if (kind < 0.2) return Buffer.concat([randomBytes(random, 1 + Math.floor(random() * 300)), Buffer.from('\n')]);
  if (kind < 0.35)
    return Buffer.concat([
      Buffer.from(`${pick(random, VERBS)} `),
      Buffer.from(pick(random, INVALID_UTF8)),
      Buffer.from('\n'),
    ]);
  if (kind < 0.5)
    return Buffer.from(
      `${pick(random, ['MSG ', 'REGISTER ', 'DM alice ', ''])}${pick(random, HOSTILE_TEXT)}${pick(random, ARGUMENTS)}\n`,
    );
  if (kind < 0.52) return Buffer.from(`${pick(random, ['MSG ', ''])}${'A'.repeat(MIB)}\n`);
  if (kind < 0.55) return Buffer.from(`${' '.repeat(Math.floor(random() * 10))}\r\n`);
  // A nick that is free, so the hostile MSG lines after it come from a registered user.
  if (kind < 0.62) return Buffer.from(`REGISTER fz${Math.floor(random() * 1e6)}\n`);
  return Buffer.from(
    `${pick(random, VERBS)} ${pick(random, ARGUMENTS)} ${pick(random, ARGUMENTS)}${random() < 0.3 ? '\r' : ''}\n`,
  );
}

function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

type Ending = 'end' | 'destroy' | 'reset' | 'half-line';

/** Writes `chunks` with backpressure, then leaves the way `ending` says; never rejects. */
async function attack(port: number, chunks: Buffer[], ending: Ending): Promise<void> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  socket.resume();
  const closed = once(socket, 'close');
  try {
    await once(socket, 'connect');
    for (const chunk of chunks) {
      if (socket.destroyed) break;
      if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), closed]);
    }
  } catch {
    // Refused or reset mid-way: the attack is over either way.
  }
  switch (ending) {
    case 'end':
      socket.end();
      break;
    case 'destroy':
      socket.destroy();
      break;
    case 'reset':
      if (!socket.destroyed) socket.resetAndDestroy();
      break;
    case 'half-line':
      if (!socket.destroyed) socket.write('MSG this line never ');
      socket.destroy();
      break;
  }
  // The server answers an orderly end and closes; bounded in case it does not.
  const timer = setTimeout(() => socket.destroy(), 5_000);
  await closed;
  clearTimeout(timer);
}

test('thousands of hostile lines leave the server serving, every worker alive and memory bounded', async (t) => {
  const server = await startServer(t, {
    workers: 2,
    args: ['--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS],
  });
  const pids = [server.pid, ...server.workerPids.values()];
  const seed = Date.now();
  t.log(`seed ${seed}`);
  const random = randomSource(seed);
  // A regular user sees everything the fuzz gets through to the others.
  const watcher = await ChatUser.join(t, server.port, 'watcher');

  const endings: Ending[] = ['end', 'destroy', 'reset', 'half-line'];
  const scripts = Array.from({ length: CONNECTIONS }, () => ({
    chunks: Array.from({ length: LINES_PER_CONNECTION }, () => hostileLine(random)),
    ending: pick(random, endings),
  }));
  // Lines that never end: the splitter must count and discard, never buffer them whole.
  for (let i = 0; i < UNENDING_LINES; i++) {
    scripts.push({
      chunks: Array.from({ length: UNENDING_LINE_BYTES / MIB }, () => Buffer.alloc(MIB, 'B')),
      ending: pick(random, endings),
    });
  }
  const lines = scripts.reduce((sum, script) => sum + script.chunks.length, 0);

  const queue = [...scripts];
  const runInTurn = async () => {
    for (let script = queue.shift(); script !== undefined; script = queue.shift()) {
      await attack(server.port, script.chunks, script.ending);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, runInTurn));

  const user = await ChatUser.join(t, server.port, 'survivor');
  const last = await user.say('still standing');
  t.is(await user.client.command('PING fine'), 'OK fine');
  await watcher.client.until((line) => line.startsWith(`MSG ${last} `));
  t.deepEqual(
    watcher.client.lines.filter((line) => CONTROL.test(line)),
    [],
    'no control character reached another user',
  );
  t.deepEqual(compareStreams([watcher], last), []);
  t.false(watcher.client.closed);

  t.notRegex(server.output, /died|Uncaught|unhandled/i);
  for (const pid of pids) t.false(processEnded(pid), `pid ${pid} is alive`);
  const peaks = pids.map((pid) => memoryOf(pid, 'VmHWM') ?? Infinity);
  t.log(
    `${lines} lines over ${scripts.length} connections, ${watcher.stream.size} public events; peak RSS MiB: ${peaks.map((bytes) => (bytes / MIB).toFixed(0)).join(', ')} (primary first)`,
  );
  for (const peak of peaks) t.true(peak < MAX_PEAK_RSS, `peak RSS ${(peak / MIB).toFixed(0)} MiB`);
});
