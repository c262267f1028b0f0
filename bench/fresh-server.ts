/** Every measurement of the fixed, ramp and idle modes runs against a server of its own. */
import { serverNodeArgs, type BenchOptions } from './bench-options.js';
import type { LoadFleet } from './load-fleet.js';
import { startServer, type RunningServer, type TargetSpec } from './targets.js';

/**
 * Starts `target` with `workers` workers and runs `measure` against it; afterwards, whatever
 * happened, the fleet's clients are closed and the server is stopped.
 */
export async function onFreshServer<T>(
  target: TargetSpec,
  workers: number,
  fleet: LoadFleet,
  options: BenchOptions,
  measure: (server: RunningServer) => Promise<T>,
): Promise<T> {
  const server = await startServer(target, workers, serverNodeArgs(options));
  try {
    return await measure(server);
  } finally {
    await fleet.closeClients().catch(() => undefined);
    await server.stop();
  }
}
