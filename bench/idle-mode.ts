/**
 * The idle mode: what thousands of quiet connections cost. Per connection count, a fresh server
 * gets that many connections (timed), then their RSS is read, then all register at once (the
 * JOIN storm: every registration is a JOIN to everyone already registered, N·(N+1)/2 lines in
 * all), and the RSS is read again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchOptions } from './bench-options.js';
import { nowMicros } from './clock.js';
import type { LoadFleet } from './load-fleet.js';
import { waitForJoins } from './measure-window.js';
import { sampleTree, totalRssKib } from './proc-stats.js';
import { onFreshServer } from './fresh-server.js';
import type { TargetSpec } from './targets.js';

/** Lets allocations made while connecting settle before RSS is read. */
const SETTLE_MS = 1_000;
const STORM_IDLE_MS = 2_000;

export interface IdleResult {
  connections: number;
  connected: number;
  /** Until every connection was greeted (WELCOME / Socket.IO connect). */
  connectS: number;
  baselineRssKib: number;
  /** (RSS with the connections open − baseline) / connections, over all server processes. */
  rssPerConnectionKib: number;
  /** Clients whose OK arrived within the storm limit. */
  registered: number;
  /** Until every client had its OK, or the storm limit. */
  registerS: number;
  /** Until every JOIN was delivered, or the storm limit. */
  joinStormS: number;
  joinsExpected: number;
  joinsReceived: number;
  rssPerRegisteredKib: number;
  /** Connections still open after the storm: a server may cut off clients it cannot keep up with. */
  openAfterStorm: number;
  rssKibByPid: Record<string, number>;
}

export async function runIdleMode(
  target: TargetSpec,
  workers: number,
  fleet: LoadFleet,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<IdleResult[]> {
  const results: IdleResult[] = [];
  for (const connections of options.idleClients) {
    const result = await measureIdle(target, workers, fleet, connections, options);
    log(
      `idle ${connections}: connected ${result.connected} in ${result.connectS.toFixed(2)} s, ` +
        `${result.rssPerConnectionKib.toFixed(1)} KiB/connection; registered ${result.registered} in ${result.registerS.toFixed(2)} s, ` +
        `JOIN storm ${result.joinStormS.toFixed(2)} s (${result.joinsReceived}/${result.joinsExpected}), ${result.rssPerRegisteredKib.toFixed(1)} KiB/registered, ${result.openAfterStorm} still open`,
    );
    results.push(result);
  }
  return results;
}

async function measureIdle(
  target: TargetSpec,
  workers: number,
  fleet: LoadFleet,
  connections: number,
  options: BenchOptions,
): Promise<IdleResult> {
  return onFreshServer(target, workers, fleet, options, async (server) => {
    await sleep(SETTLE_MS);
    const baselineRssKib = totalRssKib(sampleTree(server.pid));
    const endpoint = { wire: target.wire, host: server.host, port: server.port };
    const connectStartedAt = nowMicros();
    const connected = await fleet.connect([endpoint], connections, 0, 0, options.connectConcurrency);
    const connectS = (nowMicros() - connectStartedAt) / 1e6;
    await sleep(SETTLE_MS);
    const unregisteredRssKib = totalRssKib(sampleTree(server.pid));

    const registerStartedAt = nowMicros();
    const registered = await fleet.register(options.stormLimitS * 1000);
    const registerS = (nowMicros() - registerStartedAt) / 1e6;
    // Clients whose OK did not come within the limit are registered all the same (their OK queues behind JOINs).
    const stormLimitMs = Math.max(0, options.stormLimitS * 1000 - registerS * 1000);
    const joins = await waitForJoins(fleet, connected, { idleMs: STORM_IDLE_MS, limitMs: stormLimitMs });
    const joinStormS = (nowMicros() - registerStartedAt) / 1e6;
    await sleep(SETTLE_MS);
    const { open: openAfterStorm } = await fleet.progress();
    const registeredSample = sampleTree(server.pid);
    return {
      connections,
      connected,
      connectS,
      baselineRssKib,
      rssPerConnectionKib: (unregisteredRssKib - baselineRssKib) / Math.max(1, connected),
      registered,
      registerS,
      joinStormS,
      joinsExpected: joins.expected,
      joinsReceived: joins.received,
      rssPerRegisteredKib: (totalRssKib(registeredSample) - baselineRssKib) / Math.max(1, connected),
      openAfterStorm,
      rssKibByPid: Object.fromEntries(registeredSample.rssKib),
    };
  });
}
