/**
 * Hosts of a multi-host chat for tests: real primaries with their workers, each started with
 * `--nats` against the test's NATS servers, ended (also by kill -9) by the test.
 */
import { startServer, type Owner, type TestServer } from './server.js';
import { killQuietly } from '../../src/processes.js';

export interface HostOptions {
  nodeName: string;
  workers?: number;
  replicas?: number;
  args?: string[];
}

/** Starts one host; resolves once it listens (it has joined the chat by then). */
export function startHost(t: Owner, natsUrls: string, options: HostOptions): Promise<TestServer> {
  return startServer(t, {
    workers: options.workers ?? 2,
    args: [
      '--nats',
      natsUrls,
      '--node-name',
      options.nodeName,
      '--nats-replicas',
      String(options.replicas ?? 1),
      ...(options.args ?? []),
    ],
  });
}

/** kill -9 of a whole host: its primary and every worker, at once, as when its machine dies. */
export function killHost(host: TestServer): void {
  host.process.kill('SIGKILL');
  for (const pid of host.workerPids.values()) killQuietly(pid);
}
