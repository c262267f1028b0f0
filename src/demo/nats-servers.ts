/**
 * Local `nats-server` processes with JetStream for the tests, the multi-host demo and the bench:
 * one node, or a cluster of several on loopback ports, each in its own temporary store directory.
 * Nodes can be killed and restarted (same ports, same store) to play a NATS node's death.
 *
 * Each node gets one config file, as in a real deployment; readiness is asked of the node's
 * monitoring port (`/jsz`: JetStream on, and in a cluster a meta leader elected).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Where Debian puts it; else whatever `nats-server` is on PATH. */
const CANDIDATES = ['/usr/sbin/nats-server', 'nats-server'];
const READY_TIMEOUT_MS = 20_000;
/** Tries at starting the nodes on newly picked ports, when one dies while starting. */
const START_ATTEMPTS = 3;

/** A node that exited before it served: most likely one of its ports was taken meanwhile. */
class NodeExitedError extends Error {}

/** The nats-server binary to run, or undefined when none is installed. */
export function findNatsServer(): string | undefined {
  for (const candidate of CANDIDATES) {
    const probe = spawnSync(candidate, ['--version'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

export interface NatsNode {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** Whether the node's process is running now. */
  readonly running: boolean;
  /** The node's own pid (not a shell's), while it runs. */
  readonly pid: number | undefined;
  /** SIGKILL: the node dies at once, as on a machine failure. */
  kill(): Promise<void>;
  /** Starts it again with the same config and store; resolves once it serves JetStream. */
  restart(): Promise<void>;
}

export interface NatsServersOptions {
  nodes: number;
  /** Where the binary is; found on the machine when absent. */
  binary?: string;
}

export class NatsServers {
  readonly nodes: NatsNode[];
  readonly #dir: string;

  private constructor(dir: string, nodes: NatsNode[]) {
    this.#dir = dir;
    this.nodes = nodes;
  }

  /** Every node's client URL, comma-separated: what `--nats` takes. */
  get urls(): string {
    return this.nodes.map((node) => node.url).join(',');
  }

  /**
   * Starts the nodes and resolves once every one of them serves JetStream. Ports are picked
   * before the nodes bind them, so another process may take one in between: a node that dies
   * while starting is retried with new ports, a few times.
   */
  static async start(options: NatsServersOptions): Promise<NatsServers> {
    const binary = options.binary ?? findNatsServer();
    if (binary === undefined) throw new Error('nats-server is not installed (apt-get install nats-server)');
    for (let attempt = 1; ; attempt++) {
      const servers = await NatsServers.#configure(binary, options.nodes);
      try {
        await Promise.all(servers.nodes.map((node) => node.restart()));
        return servers;
      } catch (error) {
        await servers.stop();
        if (attempt >= START_ATTEMPTS || !(error instanceof NodeExitedError)) throw error;
      }
    }
  }

  static async #configure(binary: string, count: number): Promise<NatsServers> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clusterchat-nats-'));
    const ports = await freePorts(count * 3);
    const port = (index: number) => ports[index] ?? 0;
    const specs = Array.from({ length: count }, (_, i) => ({
      name: `n${i + 1}`,
      client: port(i * 3),
      monitor: port(i * 3 + 1),
      route: port(i * 3 + 2),
    }));
    const nodes: LocalNode[] = [];
    for (const spec of specs) {
      const routes = specs.filter((other) => other !== spec).map((other) => `nats-route://127.0.0.1:${other.route}`);
      const config = [
        `server_name: ${spec.name}`,
        `listen: 127.0.0.1:${spec.client}`,
        `http: 127.0.0.1:${spec.monitor}`,
        `jetstream { store_dir: "${path.join(dir, spec.name)}", max_memory_store: 256MB, max_file_store: 1GB }`,
        count > 1 ? `cluster { name: chat, listen: 127.0.0.1:${spec.route}, routes: [${routes.join(', ')}] }` : '',
      ].join('\n');
      const configPath = path.join(dir, `${spec.name}.conf`);
      await writeFile(configPath, `${config}\n`);
      nodes.push(new LocalNode(binary, spec.name, spec.client, spec.monitor, configPath, count > 1));
    }
    return new NatsServers(dir, nodes);
  }

  /** Kills every node and removes the stores. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    await rm(this.#dir, { recursive: true, force: true });
  }
}

class LocalNode implements NatsNode {
  readonly name: string;
  readonly port: number;
  readonly #binary: string;
  readonly #monitor: number;
  readonly #config: string;
  readonly #clustered: boolean;
  #child: ChildProcess | undefined;
  #log = '';

  constructor(binary: string, name: string, port: number, monitor: number, config: string, clustered: boolean) {
    this.#binary = binary;
    this.name = name;
    this.port = port;
    this.#monitor = monitor;
    this.#config = config;
    this.#clustered = clustered;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    this.#log = '';
    const child = spawn(this.#binary, ['-c', this.#config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // Only the start-up lines matter (for a failure report); keep it bounded.
      if (this.#log.length < 64 * 1024) this.#log += chunk;
    });
    this.#child = child;
    await this.#ready(child);
  }

  async #ready(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new NodeExitedError(`nats-server ${this.name} exited while starting:\n${this.#log}`);
      }
      if (await this.#serving()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`nats-server ${this.name} did not serve JetStream within ${READY_TIMEOUT_MS} ms:\n${this.#log}`);
  }

  /** JetStream is on (with a meta leader, in a cluster) and the client port takes connections. */
  async #serving(): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.#monitor}/jsz`);
      const jsz = (await response.json()) as { config?: unknown; meta_cluster?: { leader?: string } };
      if (jsz.config === undefined) return false;
      if (this.#clustered && (jsz.meta_cluster?.leader ?? '') === '') return false;
      return await accepts(this.port);
    } catch {
      return false;
    }
  }
}

/** Whether something listens on the loopback port (nats-server opens its monitor port first). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/**
 * Ports that were free a moment ago, all different, picked below the kernel's ephemeral range:
 * there no outgoing connection and no listener on port 0 (every test's chat server) can take one
 * between now and the node's bind.
 */
async function freePorts(count: number): Promise<number[]> {
  const below = await ephemeralRangeStart();
  const ports = new Set<number>();
  while (ports.size < count) {
    const candidate = PICK_FROM + Math.floor(Math.random() * (below - PICK_FROM));
    if (!ports.has(candidate) && (await bindable(candidate))) ports.add(candidate);
  }
  return [...ports];
}

/** The lowest port picked: above the well-known and most registered services' ports. */
const PICK_FROM = 20_000;

async function ephemeralRangeStart(): Promise<number> {
  try {
    const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const low = Number(range.trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > PICK_FROM + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}
