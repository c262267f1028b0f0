/**
 * The multi-host benchmark target: a NATS JetStream server (or a 3-node cluster with R3) and two
 * clusterchat hosts against it, started as children of this one process so the harness measures
 * their CPU and memory as one process tree. Prints `listening on <host>:<port of the first host>
 * (hosts on ports <a>,<b>)`: the load generators split their clients over the hosts.
 *
 *   node --import=tsx bench/multihost-servers.ts --workers <per host> --nats-nodes <1|3>
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { NatsServers } from '../src/demo/nats-servers.js';
import { UNLIMITED_ARGS } from './targets.js';

const PRIMARY = fileURLToPath(new URL('../dist/primary.js', import.meta.url));
const HOSTS = ['bench-a', 'bench-b'];
const LISTENING = /listening on (\S+):(\d+) with \d+ workers/;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

function startHost(name: string, urls: string, workers: number, replicas: number): ChildProcess {
  return spawn(
    process.execPath,
    [
      PRIMARY,
      ...['--workers', String(workers), '--port', '0', '--log-level', 'warn'],
      ...['--nats', urls, '--nats-replicas', String(replicas), '--node-name', name],
      ...UNLIMITED_ARGS,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

async function listeningPort(host: ChildProcess): Promise<number> {
  let stdout = '';
  host.stdout?.setEncoding('utf8');
  for await (const chunk of host.stdout ?? []) {
    stdout += String(chunk);
    const match = LISTENING.exec(stdout);
    if (match !== null) {
      // Keep reading, so the host never blocks on a full pipe.
      host.stdout?.resume();
      return Number(match[2]);
    }
  }
  throw new Error(`a host exited before listening:\n${stdout}`);
}

const workers = option('--workers', 2);
const nodes = option('--nats-nodes', 1);
const nats = await NatsServers.start({ nodes });
const hosts = HOSTS.map((name) => startHost(name, nats.urls, workers, nodes));
const stop = async () => {
  await Promise.all(
    hosts.map(async (host) => {
      if (host.exitCode !== null || host.signalCode !== null) return;
      const exited = once(host, 'exit');
      host.kill('SIGTERM');
      await exited;
    }),
  );
  await nats.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
try {
  const ports = await Promise.all(hosts.map(listeningPort));
  process.stdout.write(`listening on 127.0.0.1:${ports[0] ?? 0} (hosts on ports ${ports.join(',')})\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  await stop();
}
