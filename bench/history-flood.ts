/**
 * Issue 14 §1, measured: the history is filled with 4 KiB messages, then N connections each send
 * 40 × `HISTORY 1000` before registering and read nothing, while bystanders chat. Every process
 * must stay alive, the bystanders must keep being served, and each process's peak RSS (VmHWM)
 * must stay bounded. The pieces are exported for test/server/history-flood.test.ts; run directly
 * for the full figures:
 *
 *   npm run build && node --import=tsx bench/history-flood.ts [--attackers 1,16,100] [--workers 4]
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { endChildrenOnExit } from './child-processes.js';
import { memoryOf, processTree } from './proc-stats.js';
import { startServer, TARGETS } from './targets.js';

/** What the bystanders saw while the attackers flooded. */
export interface BystanderFigures {
  /** Bystander messages sent during the attack, and how many came back to their sender. */
  sent: number;
  echoed: number;
  /** Bystander round trips (MSG → own MSG event), ms. */
  p50Ms: number;
  maxMs: number;
}

/** How often each bystander says something: ten lines a second, a lively chat. */
const BYSTANDER_INTERVAL_MS = 100;

/** A connection that hands each received line to `onLine`. */
function lineSocket(port: number, onLine: (line: string) => void): net.Socket {
  const socket = net.connect(port, '127.0.0.1');
  let partial = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  socket.on('error', () => {});
  return socket;
}

/** Resolves with the first line that satisfies `accept`. */
function waitForLine(socket: net.Socket, lines: string[], accept: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = lines.find(accept);
      if (found === undefined) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(found);
    };
    const onData = () => setImmediate(check);
    const onClose = () => {
      reject(new Error(`connection closed; last lines: ${lines.slice(-3).join(' | ')}`));
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    check();
  });
}

/** Registers `nick` and sends `count` public messages of `bytes` characters; resolves once all are acknowledged. */
export async function fillHistory(port: number, count: number, bytes: number): Promise<void> {
  const lines: string[] = [];
  const socket = lineSocket(port, (line) => lines.push(line));
  socket.write(`REGISTER filler\n${`MSG ${'x'.repeat(bytes)}\n`.repeat(count)}PING filled\n`);
  await waitForLine(socket, lines, (line) => line === 'OK filled');
  socket.destroy();
}

/** Connections that send `requests` × `HISTORY <last>` before registering, then read nothing. */
export function startAttackers(port: number, count: number, requests = 40, last = 1000): net.Socket[] {
  return Array.from({ length: count }, () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.pause();
    socket.write(`HISTORY ${last}\n`.repeat(requests));
    return socket;
  });
}

/** `count` registered users who each say something every BYSTANDER_INTERVAL_MS for `durationMs`. */
export async function chatAsBystanders(port: number, count: number, durationMs: number): Promise<BystanderFigures> {
  const roundTrips: number[] = [];
  let sent = 0;
  const sockets = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const nick = `bystander${i}`;
      const lines: string[] = [];
      const sentAt = new Map<string, number>();
      const socket = lineSocket(port, (line) => {
        lines.push(line);
        const match = / bystander\d+ (said-\S+)$/.exec(line);
        const started = match === null ? undefined : sentAt.get(match[1] ?? '');
        if (line.startsWith('MSG ') && line.includes(` ${nick} `) && started !== undefined) {
          roundTrips.push(performance.now() - started);
        }
        if (lines.length > 100) lines.splice(0, 50);
      });
      socket.write(`REGISTER ${nick}\n`);
      await waitForLine(socket, lines, (line) => line === `OK ${nick}`);
      return { socket, nick, sentAt };
    }),
  );
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    for (const { socket, nick, sentAt } of sockets) {
      const token = `said-${nick}-${sent++}`;
      sentAt.set(token, performance.now());
      socket.write(`MSG ${token}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, BYSTANDER_INTERVAL_MS));
  }
  // The last messages get a moment to come back.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  for (const { socket } of sockets) socket.destroy();
  roundTrips.sort((a, b) => a - b);
  return {
    sent,
    echoed: roundTrips.length,
    p50Ms: roundTrips[Math.floor(roundTrips.length / 2)] ?? NaN,
    maxMs: roundTrips.at(-1) ?? NaN,
  };
}

/** Peak resident memory (VmHWM) of a process, in MiB; undefined once it is gone. */
export function peakRssMib(pid: number): number | undefined {
  const bytes = memoryOf(pid, 'VmHWM');
  return bytes === undefined ? undefined : bytes / (1024 * 1024);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      attackers: { type: 'string', default: '1,16,100' },
      workers: { type: 'string', default: '4' },
      seconds: { type: 'string', default: '5' },
    },
  });
  endChildrenOnExit();
  const workers = Number(values.workers);
  console.log(
    `history of 1000 × 4 KiB messages, ${workers} workers, 4 bystanders chatting every ${BYSTANDER_INTERVAL_MS} ms`,
  );
  console.log('attackers  alive  bystanders echoed  p50 ms  max ms  peak RSS MiB (primary; workers)');
  for (const attackers of values.attackers.split(',').map(Number)) {
    const server = await startServer(TARGETS.clusterchat, workers, []);
    try {
      const pids = processTree(server.pid);
      await fillHistory(server.port, 1000, 4000);
      const sockets = startAttackers(server.port, attackers);
      const figures = await chatAsBystanders(server.port, 4, Number(values.seconds) * 1000);
      const alive =
        pids.every((pid) => peakRssMib(pid) !== undefined) && !/died|lagging|unresponsive/.test(server.stderrTail());
      const [primary, ...rest] = pids.map((pid) => (peakRssMib(pid) ?? NaN).toFixed(0));
      console.log(
        `${String(attackers).padStart(9)}  ${alive ? 'yes' : 'NO '}    ${`${figures.echoed}/${figures.sent}`.padStart(17)}  ` +
          `${figures.p50Ms.toFixed(1).padStart(6)}  ${figures.maxMs.toFixed(0).padStart(6)}  ${primary}; ${rest.join(' ')}`,
      );
      for (const socket of sockets) socket.destroy();
    } finally {
      await server.stop();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
