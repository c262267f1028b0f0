/**
 * Supervisor.start with real forked processes that are not our worker: one that dies at once, one
 * that never says anything. The start names the worker that died and how; an abort ends it at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ClusterHubBus } from '../../src/bus/cluster-hub-bus.js';
import { WorkerLink } from '../../src/bus/worker-link.js';
import { Supervisor } from '../../src/cluster/supervisor.js';
import { MemoryLog } from '../../src/hub/event-log.js';
import { LocalState } from '../../src/hub/local-state.js';
import { HistoryRing } from '../../src/hub/history-ring.js';
import { Hub } from '../../src/hub/hub.js';
import { DEFAULT_ADDRESS_LIMITS } from '../../src/hub/address-limits.js';
import { silentLogger } from '../../src/log.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';

/** No scrape happens here: the metrics end is never asked. */
const NO_METRICS = {
  page: () => Promise.reject(new Error('no metrics in this test')),
  received: () => {},
};

function supervisorFor(t: ExecutionContext, script: string, workers: number): Supervisor {
  const dir = mkdtempSync(join(tmpdir(), 'clusterchat-supervisor-'));
  const workerPath = join(dir, 'worker.mjs');
  writeFileSync(workerPath, script);
  const bus = new ClusterHubBus({ maxBacklog: 1024 * 1024, log: silentLogger });
  const hub = new Hub({
    bus,
    history: new HistoryRing(10),
    state: new LocalState({ epoch: 'e1', lastSeq: 0, journal: new MemoryLog(), log: silentLogger }),
    maxClients: 10,
    addressLimits: DEFAULT_ADDRESS_LIMITS,
    adminToken: '',
    log: silentLogger,
  });
  const supervisor = new Supervisor({
    workers,
    workerPath,
    workerConfig: {
      limits: DEFAULT_LIMITS,
      history: 1000,
      logLevel: 'error',
      heartbeatInterval: 1_000,
      tls: undefined,
      http: { maxFrame: 65_536, requestTimeout: 10_000, maxConnections: 100 },
    },
    link: (worker, events) =>
      new WorkerLink(worker, {
        hub,
        deliveries: bus,
        metrics: NO_METRICS,
        log: silentLogger,
        workerLog: silentLogger,
        events,
      }),
    log: silentLogger,
    watchInterval: 1_000,
    heartbeatTimeout: 60_000,
    // Long: a stop that waited for a drain would show.
    drainTimeout: 30_000,
  });
  t.teardown(async () => {
    await supervisor.stop('test over');
    rmSync(dir, { recursive: true, force: true });
  });
  return supervisor;
}

test.serial('a worker that dies while starting is named, with how it ended', async (t) => {
  const supervisor = supervisorFor(t, 'process.exit(3);\n', 1);
  await t.throwsAsync(supervisor.start(new AbortController().signal), {
    message: 'worker 1 died while starting (code 3)',
  });
});

test.serial('an aborted start rejects at once, and stop() ends the workers that were still starting', async (t) => {
  const supervisor = supervisorFor(t, 'setInterval(() => {}, 1000);\n', 3);
  const abort = new AbortController();
  const starting = supervisor.start(abort.signal);
  abort.abort();
  await t.throwsAsync(starting, { message: 'interrupted while starting' });
  // A starting worker has no connection to drain, and may not read a drain yet: it is ended at
  // once, not after the 30 s drain timeout.
  const waitedForDrain = new Promise<string>((resolve) => setTimeout(resolve, 10_000, 'waited').unref());
  t.is(await Promise.race([supervisor.stop('interrupted').then(() => 'ended'), waitedForDrain]), 'ended');
});
