/**
 * The fixed and ramp modes against one target at one worker count: a fresh server, C clients
 * connected and registered (timed), then one window at the fixed rate and/or the ramp.
 */
import { includesMode, serverNodeArgs, type BenchOptions } from './bench-options.js';
import { nowMicros } from './clock.js';
import type { LoadFleet } from './load-fleet.js';
import { measureWindow, waitForTotal, type WindowResult } from './measure-window.js';
import { startServer, type RunningServer, type TargetSpec } from './targets.js';

/** The ramp's pass criteria (issue 5): p99 at most 50 ms and at least 98 % delivered. */
const RAMP_P99_LIMIT_MS = 50;
const RAMP_MIN_DELIVERED = 0.98;
const RAMP_FACTOR = 1.5;
const RAMP_MAX_STEPS = 14;
const WARMUP_S = 1;
const JOIN_WAIT_IDLE_MS = 1_000;
const JOIN_WAIT_LIMIT_MS = 15_000;

interface SetupResult {
  clients: number;
  connected: number;
  registered: number;
  /** Connect (until WELCOME / Socket.IO connect) plus register (until OK / ack) of all clients. */
  setupS: number;
  connectS: number;
  registerS: number;
  /** Until every registered client received every JOIN it is owed. */
  joinsCompleteS: number;
  joinsExpected: number;
  joinsReceived: number;
}

interface RampStep extends WindowResult {
  passed: boolean;
}

interface RampResult {
  steps: RampStep[];
  /** Deliveries/s of the fastest step that passed; 0 if none did. */
  peakDeliveriesPerSecond: number;
  peakRate: number;
  /** The most deliveries/s any step achieved, passing or not. */
  maxDeliveriesPerSecond: number;
}

export interface LoadModesResult {
  setup: SetupResult;
  fixed?: WindowResult;
  ramp?: RampResult;
}

type Progress = (line: string) => void;

export async function runLoadModes(
  target: TargetSpec,
  workers: number,
  fleet: LoadFleet,
  options: BenchOptions,
  log: Progress,
): Promise<LoadModesResult> {
  const server = await startServer(target, workers, serverNodeArgs(options));
  try {
    const setup = await connectClients(server, fleet, options);
    log(`setup ${setup.registered}/${setup.clients} clients in ${setup.setupS.toFixed(2)} s`);
    if (setup.registered < options.clients)
      throw new Error(`only ${setup.registered} of ${options.clients} clients registered\n${server.stderrTail()}`);
    const result: LoadModesResult = { setup };
    const plan = { senders: options.senders, size: options.size };
    // Discarded: lets the JIT and the sockets' buffers settle, as they would in a long-running server.
    await measureWindow(server, fleet, setup.registered, {
      ...plan,
      rate: options.rate,
      durationMs: Math.min(options.durationS, WARMUP_S) * 1000,
    });
    if (includesMode(options, 'fixed')) {
      result.fixed = await measureWindow(server, fleet, setup.registered, {
        ...plan,
        rate: options.rate,
        durationMs: options.durationS * 1000,
      });
      log(`fixed ${describeWindow(result.fixed)}`);
    }
    if (includesMode(options, 'ramp')) result.ramp = await ramp(server, fleet, setup.registered, options, log);
    return result;
  } finally {
    await fleet.closeClients().catch(() => undefined);
    await server.stop();
  }
}

async function connectClients(server: RunningServer, fleet: LoadFleet, options: BenchOptions): Promise<SetupResult> {
  const startedAt = nowMicros();
  const endpoints = server.ports.map((port) => ({ wire: server.target.wire, host: server.host, port }));
  const connected = await fleet.connect(
    endpoints,
    options.clients,
    options.senders,
    options.sampledPerGenerator,
    options.connectConcurrency,
  );
  const connectedAt = nowMicros();
  const registered = await fleet.register(JOIN_WAIT_LIMIT_MS);
  const registeredAt = nowMicros();
  // The k-th client to register is owed the JOINs of itself and everyone after it.
  const joinsExpected = (registered * (registered + 1)) / 2;
  const joinsReceived = await waitForTotal(
    fleet,
    (progress) => progress.joins,
    joinsExpected,
    JOIN_WAIT_IDLE_MS,
    JOIN_WAIT_LIMIT_MS,
  );
  return {
    clients: options.clients,
    connected,
    registered,
    setupS: (registeredAt - startedAt) / 1e6,
    connectS: (connectedAt - startedAt) / 1e6,
    registerS: (registeredAt - connectedAt) / 1e6,
    joinsCompleteS: (nowMicros() - connectedAt) / 1e6,
    joinsExpected,
    joinsReceived,
  };
}

/**
 * Raises the rate by RAMP_FACTOR per step until a step fails the criteria twice in a row (one
 * retry absorbs a stray GC pause); the peak is the fastest passing step. If the first rate fails,
 * the ramp steps down first.
 */
async function ramp(
  server: RunningServer,
  fleet: LoadFleet,
  registered: number,
  options: BenchOptions,
  log: Progress,
): Promise<RampResult> {
  const steps: RampStep[] = [];
  let rate = options.rate;
  let retried = false;
  while (steps.length < RAMP_MAX_STEPS) {
    const window = await measureWindow(server, fleet, registered, {
      senders: options.senders,
      size: options.size,
      rate: Math.round(rate),
      durationMs: options.stepS * 1000,
    });
    const passed =
      window.latency.p99Ms <= RAMP_P99_LIMIT_MS &&
      window.deliveredRatio >= RAMP_MIN_DELIVERED &&
      window.openClients === registered;
    steps.push({ ...window, passed });
    log(`ramp ${passed ? 'pass' : 'FAIL'} ${describeWindow(window)}`);
    if (passed) {
      rate *= RAMP_FACTOR;
      retried = false;
    } else if (!retried && window.openClients === registered) {
      retried = true;
    } else if (!steps.some((step) => step.passed) && window.openClients === registered) {
      // Nothing passed yet: the peak lies below the first rate, so look there.
      rate /= RAMP_FACTOR * RAMP_FACTOR;
      retried = false;
    } else {
      break;
    }
  }
  const passing = steps.filter((step) => step.passed);
  const peak = passing.reduce<RampStep | undefined>(
    (best, step) => (best === undefined || step.deliveriesPerSecond > best.deliveriesPerSecond ? step : best),
    undefined,
  );
  return {
    steps,
    peakDeliveriesPerSecond: peak?.deliveriesPerSecond ?? 0,
    peakRate: peak?.rate ?? 0,
    maxDeliveriesPerSecond: Math.max(0, ...steps.map((step) => step.deliveriesPerSecond)),
  };
}

function describeWindow(window: WindowResult): string {
  return [
    `${window.rate} msg/s:`,
    `${Math.round(window.deliveriesPerSecond)} deliveries/s,`,
    `${(window.deliveredRatio * 100).toFixed(2)} % delivered,`,
    `p99 ${window.latency.p99Ms.toFixed(2)} ms,`,
    `${window.serverCpuMicrosPerDelivery.toFixed(2)} µs CPU/delivery (${Math.round(window.serverSystemShare * 100)} % kernel),`,
    window.deliveriesPerRead === undefined ? '' : `${window.deliveriesPerRead.toFixed(1)} deliveries/read,`,
    `server ${window.serverCores.toFixed(2)} cores, generators ${window.generatorCores.map((cores) => cores.toFixed(2)).join('+')}`,
  ]
    .filter((part) => part !== '')
    .join(' ');
}
