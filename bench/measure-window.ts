/**
 * One measured window: the registered clients' senders send at a fixed rate for a while, the
 * harness waits (bounded) for the deliveries to drain, and the server's CPU is read from /proc
 * before and after. Every figure of the fixed and ramp modes comes from here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { nowMicros } from './clock.js';
import type { LoadFleet, SendPlan } from './load-fleet.js';
import type { Progress } from './load-messages.js';
import { cpuMicrosBetween, sampleTree, sum, totalRssKib } from './proc-stats.js';
import { summarizeLatency, type LatencySummary } from './stats.js';
import type { RunningServer } from './targets.js';

/**
 * How long a wait for deliveries may last: it ends when every expected one arrived, when none
 * arrived for `idleMs`, or at the latest after `limitMs`.
 */
export interface WaitLimits {
  idleMs: number;
  limitMs: number;
}

/** The drain after a window's last message was sent. */
const DRAIN: WaitLimits = { idleMs: 1_000, limitMs: 5_000 };
const POLL_MS = 50;

export interface WindowResult {
  rate: number;
  durationS: number;
  sent: number;
  /** Every registered client (the sender too) should receive every message. */
  expected: number;
  delivered: number;
  deliveredRatio: number;
  /** Deliveries over the time from the first send to the last delivery. */
  deliveriesPerSecond: number;
  latency: LatencySummary;
  /** Deliveries per socket read at the clients (chat/1 wire): above 1, the server joined writes. */
  deliveriesPerRead: number | undefined;
  serverCpuMicros: number;
  /** Per server process: the primary's share shows whether the hub is the bottleneck. */
  serverCpuMicrosByPid: Record<string, number>;
  /** The kernel's part of the server CPU (socket syscalls on loopback). */
  serverSystemShare: number;
  serverCpuMicrosPerDelivery: number;
  /** Server CPU over the window in cores (1 = one core busy throughout). */
  serverCores: number;
  /** CPU of each load generator over the window, in cores: near 1 means that generator was the limit. */
  generatorCores: number[];
  /** Clients still connected at the end (a slow consumer may be cut off). */
  openClients: number;
  serverRssKib: number;
  serverRssKibByPid: Record<string, number>;
}

export async function measureWindow(
  server: RunningServer,
  fleet: LoadFleet,
  registered: number,
  plan: SendPlan,
): Promise<WindowResult> {
  await fleet.reset();
  const before = sampleTree(server.pid);
  const startedAt = nowMicros();
  const sent = await fleet.send(plan);
  const expected = sent * registered;
  await waitForTotal(fleet, (progress) => progress.msgs, expected, DRAIN);
  const after = sampleTree(server.pid);
  const elapsedS = (nowMicros() - startedAt) / 1e6;
  const report = await fleet.report();
  const cpuByPid = cpuMicrosBetween(before, after);
  const serverCpuMicros = sum(cpuByPid.values());
  const deliveringS = Math.max(report.lastMsgAtMicros - startedAt, plan.durationMs * 1000) / 1e6;
  return {
    rate: plan.rate,
    durationS: plan.durationMs / 1000,
    sent,
    expected,
    delivered: report.msgs,
    deliveredRatio: expected === 0 ? 0 : report.msgs / expected,
    deliveriesPerSecond: report.msgs / deliveringS,
    latency: summarizeLatency(report.latencies),
    deliveriesPerRead: report.chunks === 0 ? undefined : report.msgs / report.chunks,
    serverCpuMicros,
    serverCpuMicrosByPid: Object.fromEntries(cpuByPid),
    serverSystemShare:
      serverCpuMicros === 0 ? 0 : sum(cpuMicrosBetween(before, after, 'systemMicros').values()) / serverCpuMicros,
    serverCpuMicrosPerDelivery: report.msgs === 0 ? Number.NaN : serverCpuMicros / report.msgs,
    serverCores: serverCpuMicros / 1e6 / elapsedS,
    generatorCores: report.generatorCpuMicros.map((micros) => micros / 1e6 / elapsedS),
    openClients: report.open,
    serverRssKib: totalRssKib(after),
    serverRssKibByPid: Object.fromEntries(after.rssKib),
  };
}

/**
 * Waits, within `limits`, for the total that `read` picks from the clients' progress to reach
 * `expected`; resolves with the total reached.
 */
async function waitForTotal(
  fleet: LoadFleet,
  read: (progress: Progress) => number,
  expected: number,
  { idleMs, limitMs }: WaitLimits,
): Promise<number> {
  const deadline = Date.now() + limitMs;
  let last = -1;
  let lastChangeAt = Date.now();
  for (;;) {
    const total = read(await fleet.progress());
    if (total >= expected || Date.now() >= deadline) return total;
    if (total !== last) {
      last = total;
      lastChangeAt = Date.now();
    } else if (Date.now() - lastChangeAt >= idleMs) {
      return total;
    }
    await sleep(POLL_MS);
  }
}

/**
 * Waits, within `limits`, for the JOINs owed to `clients` clients that registered one after the
 * other: the k-th is owed the JOINs of itself and everyone after it, n·(n+1)/2 in all.
 */
export async function waitForJoins(
  fleet: LoadFleet,
  clients: number,
  limits: WaitLimits,
): Promise<{ expected: number; received: number }> {
  const expected = (clients * (clients + 1)) / 2;
  return { expected, received: await waitForTotal(fleet, (progress) => progress.joins, expected, limits) };
}
