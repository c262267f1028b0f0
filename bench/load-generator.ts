/**
 * A load-generator process (started by load-fleet.ts with an IPC channel): holds a share of the
 * benchmark's clients, sends at the rate it is told and counts what its clients receive.
 * It exits as soon as the harness goes away, so it can never outlive a run.
 */
import { connectBenchClient, type BenchClient } from './bench-client.js';
import { nowMicros } from './clock.js';
import {
  isLoadRequest,
  type ConnectRequest,
  type LoadReply,
  type LoadReport,
  type LoadRequest,
  type LoadResults,
  type Progress,
  type SendRequest,
} from './load-messages.js';
import { makePayload } from './payload.js';
import { LatencyHistogram } from './stats.js';

interface ClientSlot {
  nick: string;
  client: BenchClient;
}

/** The send loop's period: messages due since the last tick go out together, one write per sender. */
const SEND_TICK_MS = 1;

let slots: ClientSlot[] = [];
const latencies = new LatencyHistogram();
let sentSinceReset = 0;
let cpuAtReset = process.cpuUsage();

async function connectAll(request: ConnectRequest): Promise<LoadResults['connect']> {
  const connected: Array<ClientSlot | undefined> = new Array<ClientSlot | undefined>(request.count);
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < request.count) {
      const index = next++;
      const sampled = index >= request.count - request.sampled;
      try {
        const client = await connectBenchClient(request, sampled ? latencies : undefined);
        connected[index] = { nick: `b${request.firstIndex + index}`, client };
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(request.concurrency, request.count) }, lane));
  // Kept in index order: senders are the first slots and sampled clients the last.
  slots = connected.filter((slot) => slot !== undefined);
  return { connected: slots.length, failed };
}

/** Registers every client at once; gives up waiting after `limitMs` (an OK may queue behind a JOIN storm). */
async function registerAll(limitMs: number): Promise<LoadResults['register']> {
  let registered = 0;
  const outcomes = slots.map((slot) =>
    slot.client.register(slot.nick).then((ok) => {
      if (ok) registered++;
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(outcomes), new Promise((resolve) => (timer = setTimeout(resolve, limitMs)))]);
  clearTimeout(timer);
  return { registered, failed: slots.length - registered };
}

function sendAtRate(request: SendRequest): Promise<LoadResults['send']> {
  const senders = slots.slice(0, request.senders).map((slot) => slot.client);
  const total = Math.round((request.rate * request.durationMs) / 1000);
  if (senders.length === 0 || total === 0) return Promise.resolve({ sent: 0 });
  const startedAt = nowMicros();
  let sent = 0;
  let turn = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = nowMicros();
      const due = Math.min(total, Math.floor(((now - startedAt) * request.rate) / 1e6)) - sent;
      if (due > 0) {
        const text = makePayload(now, request.size);
        // Round robin from `turn`: each sender gets due / n, and the next due % n after `turn` one more.
        const n = senders.length;
        senders.forEach((sender, i) => {
          const count = Math.floor(due / n) + ((i - turn + n) % n < due % n ? 1 : 0);
          if (count > 0) sender.sendMessages(text, count);
        });
        turn = (turn + due) % n;
        sent += due;
        sentSinceReset += due;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve({ sent });
      }
    }, SEND_TICK_MS);
  });
}

function progress(): Progress {
  const result: Progress = { msgs: 0, joins: 0, chunks: 0, open: 0, lastMsgAtMicros: 0 };
  for (const { client } of slots) {
    result.msgs += client.counter.msgs;
    result.joins += client.counter.joins;
    result.chunks += client.counter.chunks;
    if (client.open) result.open++;
    result.lastMsgAtMicros = Math.max(result.lastMsgAtMicros, client.counter.lastMsgAtMicros);
  }
  return result;
}

function report(): LoadReport {
  const cpu = process.cpuUsage(cpuAtReset);
  return {
    ...progress(),
    sent: sentSinceReset,
    latencyBuckets: latencies.toSparse(),
    latencyMaxMicros: latencies.maxMicros,
    cpuMicros: cpu.user + cpu.system,
  };
}

function reset(): null {
  for (const { client } of slots) {
    client.counter.msgs = 0;
    client.counter.chunks = 0;
    client.counter.lastMsgAtMicros = 0;
  }
  latencies.reset();
  sentSinceReset = 0;
  cpuAtReset = process.cpuUsage();
  return null;
}

function closeAll(): null {
  for (const { client } of slots) client.close();
  slots = [];
  return null;
}

async function handle(request: LoadRequest): Promise<LoadResults[keyof LoadResults]> {
  switch (request.type) {
    case 'connect':
      return connectAll(request);
    case 'register':
      return registerAll(request.limitMs);
    case 'reset':
      return reset();
    case 'send':
      return sendAtRate(request);
    case 'progress':
      return progress();
    case 'report':
      return report();
    case 'close':
      return closeAll();
  }
}

function reply(message: LoadReply): void {
  process.send?.(message, (error: Error | null) => {
    if (error !== null) process.exit(1);
  });
}

process.on('message', (message: unknown) => {
  if (!isLoadRequest(message)) {
    console.error('load generator: ignoring an unknown message', message);
    return;
  }
  handle(message).then(
    (result) => {
      reply({ type: 'reply', id: message.id, result });
    },
    (error: unknown) => {
      reply({ type: 'failed', id: message.id, message: String(error) });
    },
  );
});
process.on('disconnect', () => process.exit(0));
if (process.send === undefined) {
  console.error('load generator: must be started by the harness with an IPC channel');
  process.exit(1);
}
