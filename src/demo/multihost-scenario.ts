/**
 * `npm run demo -- --multihost`: one chat served by two hosts through a 3-node NATS JetStream
 * cluster. Four clients, two on each host, each given both hosts (`--server`, twice); a whole
 * host is killed with kill -9 mid-chat; its users come back on the other host under their own
 * nicks and fill their gap. Same transcript style and checks as the defense scenario.
 */
import { NatsServers } from './nats-servers.js';
import type { Actor } from './actor.js';
import { marksOf, sayToAll, waitForAll, waitFrom } from './audience.js';
import type { Cast } from './cast.js';
import { clientLines } from './client-lines.js';
import { DemoFailure } from './demo-failure.js';
import { samePublicStream } from './stream-check.js';
import type { Transcript } from './transcript.js';

export const HOST_NAMES = ['host-a', 'host-b'] as const;

export interface MultiHostScenarioOptions {
  cast: Cast;
  transcript: Transcript;
  /** How long any one expected line may take (a dead host is noticed within 15 s). */
  timeoutMs: number;
  paceMs: number;
  workers: number;
  /** The clients: the first two start on host-a, the others on host-b (killed). */
  nicks: readonly [string, string, string, string];
}

interface Step {
  title: string;
  run: () => Promise<void>;
}

const LISTENING = /^listening on (\S+):(\d+) with (\d+) workers$/;
const GREETING = 'hello from host-a';
const ANSWER = 'and hello from host-b';
const SECRET = 'this one crosses hosts, for you only';
const GAP = 'host-b just died; can you still read me?';

export class MultiHostScenario {
  readonly #o: MultiHostScenarioOptions;
  #nats: NatsServers | undefined;
  readonly #ports = new Map<string, number>();

  constructor(options: MultiHostScenarioOptions) {
    this.#o = options;
  }

  get steps(): readonly Step[] {
    const [alice, bob, carol, dave] = this.#o.nicks;
    return [
      { title: 'Start a NATS cluster: 3 nats-server nodes with JetStream', run: () => this.#startNats() },
      {
        title: `Start two hosts at the same moment, ${this.#o.workers} workers each, streams replicated 3 times`,
        run: () => this.#startHosts(),
      },
      {
        title: `${alice} and ${bob} connect to host-a, ${carol} and ${dave} to host-b (each knows both hosts)`,
        run: () => this.#connectClients(),
      },
      {
        title: 'One conversation across hosts: every line reaches every screen',
        run: () => this.#converse(alice, dave),
      },
      {
        title: `/users lists everyone on both hosts; /msg from ${bob} (host-a) reaches ${carol} (host-b)`,
        run: () => this.#usersAndDm(bob, carol),
      },
      {
        title: `kill -9 host-b (its primary and workers): ${carol} and ${dave} leave once each, come back on host-a`,
        run: () => this.#killHost(alice, bob, carol, dave),
      },
      {
        title: 'Every screen holds the same public stream, in the same order',
        run: () => this.#compareStreams(),
      },
      { title: 'The end: host-a and NATS stop; Ctrl-C ends each client', run: () => this.#finish() },
    ];
  }

  async run(stopAfter?: number): Promise<number> {
    const steps = this.steps.slice(0, stopAfter);
    try {
      for (const [index, step] of steps.entries()) {
        if (index > 0 && this.#o.paceMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#o.paceMs));
        this.#o.transcript.headline(`Step ${index + 1}/${this.steps.length}: ${step.title}`);
        await step.run();
      }
      return steps.length;
    } finally {
      await this.#nats?.stop();
    }
  }

  async #startNats(): Promise<void> {
    this.#nats = await NatsServers.start({ nodes: 3 });
    const nodes = this.#nats.nodes.map((node) => `${node.name} (${node.url}, pid ${String(node.pid)})`);
    this.#pass(`the cluster formed: ${nodes.join(', ')}`);
  }

  async #startHosts(): Promise<void> {
    const urls = this.#nats?.urls ?? '';
    const hosts = HOST_NAMES.map((name) =>
      this.#o.cast.startServer(
        [
          ...['--workers', String(this.#o.workers), '--host', '127.0.0.1', '--port', '0'],
          ...['--nats', urls, '--nats-replicas', '3', '--node-name', name, '--log-level', 'info'],
        ],
        name,
      ),
    );
    const listening = await Promise.all(hosts.map((host) => host.waitFor(LISTENING, this.#o.timeoutMs)));
    for (const [i, name] of HOST_NAMES.entries()) this.#ports.set(name, Number(listening[i]?.[2]));
    const where = HOST_NAMES.map((name) => `${name} on port ${String(this.#ports.get(name))}`).join(', ');
    this.#pass(`both came up against the fresh cluster, sharing one epoch: ${where}`);
  }

  async #connectClients(): Promise<void> {
    const [alice, bob, carol, dave] = this.#o.nicks;
    const server = (name: string) => ['--server', `127.0.0.1:${String(this.#ports.get(name))}`];
    for (const nick of [alice, bob, carol, dave]) {
      const [first, second] = nick === alice || nick === bob ? HOST_NAMES : [...HOST_NAMES].reverse();
      const client = this.#o.cast.startClientWith(nick, [...server(first), ...server(second)]);
      await client.waitFor(clientLines.connected(nick), this.#o.timeoutMs);
    }
    await waitForAll(this.#o, this.#o.nicks, clientLines.join(dave));
    this.#pass(`everyone, on either host, saw ${dave} join`);
  }

  async #converse(first: string, second: string): Promise<void> {
    await sayToAll(this.#o, first, GREETING, this.#o.nicks);
    await sayToAll(this.#o, second, ANSWER, this.#o.nicks);
    this.#pass('both lines reached all four clients, on both hosts');
  }

  async #usersAndDm(from: string, to: string): Promise<void> {
    const sender = this.#client(from);
    const mark = sender.mark();
    sender.type('/users');
    const sorted = [...this.#o.nicks].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    await sender.waitFor(clientLines.users(sorted), this.#o.timeoutMs, mark);
    sender.type(`/msg ${to} ${SECRET}`);
    await this.#client(to).waitFor(clientLines.dmReceived(from, SECRET), this.#o.timeoutMs);
    await sender.waitFor(clientLines.dmSent(to, SECRET), this.#o.timeoutMs, mark);
    this.#pass(`${from} sees all four users; ${to}, on the other host, got the private message`);
  }

  async #killHost(alice: string, bob: string, carol: string, dave: string): Promise<void> {
    const { cast } = this.#o;
    const survivors = [alice, bob];
    const moved = [carol, dave];
    const marks = marksOf(this.#o, this.#o.nicks);
    const killedAt = Date.now();
    this.#o.transcript.remark(`kill -9 host-b: pid ${String(cast.actor('host-b').pid)} and its workers`);
    cast.killServer('host-b');
    await Promise.all(
      survivors.flatMap((nick) =>
        moved.map((gone) => waitFrom(this.#o, nick, clientLines.leave(gone, 'host lost'), marks)),
      ),
    );
    const noticed = ((Date.now() - killedAt) / 1000).toFixed(1);
    this.#pass(`host-a let ${carol} and ${dave} go ${noticed} s after the kill: LEAVE … host lost, once each`);
    await sayToAll(this.#o, alice, GAP, survivors);
    for (const nick of moved) {
      await waitFrom(this.#o, nick, clientLines.reconnected(nick), marks);
      await waitFrom(this.#o, nick, clientLines.replayed, marks);
      await waitFrom(this.#o, nick, clientLines.message(alice, GAP), marks);
    }
    // Everyone has both comebacks on screen before the screens are compared.
    for (const nick of moved) await waitForAll(this.#o, this.#o.nicks, clientLines.join(nick), marks);
    const doubled = survivors.filter(
      (nick) =>
        this.#client(nick).lines.filter((line) => clientLines.leave(carol, 'host lost').test(line)).length !== 1,
    );
    if (doubled.length > 0) throw new DemoFailure(`expected exactly one LEAVE host lost of ${carol} on each screen`);
    this.#pass(`${carol} and ${dave} reconnected to host-a under their own nicks and replayed what they missed`);
  }

  async #compareStreams(): Promise<void> {
    const actors = this.#o.nicks.map((nick) => this.#client(nick));
    const result = samePublicStream(actors, clientLines.message(this.#o.nicks[0], GREETING));
    if (!result.same) throw new DemoFailure(result.explanation, result.evidence);
    this.#pass(`all four screens show the same ${result.length} public events, in the same order`);
    await Promise.resolve();
  }

  async #finish(): Promise<void> {
    const host = this.#o.cast.actor('host-a');
    host.signal('SIGTERM');
    await waitForAll(this.#o, this.#o.nicks, clientLines.disconnectedBecause('server shutting down'));
    await this.#nats?.stop();
    this.#nats = undefined;
    for (const nick of this.#o.nicks) {
      const client = this.#client(nick);
      client.signal('SIGINT');
      const status = await client.ended;
      if (status.code !== 0) throw new DemoFailure(`expected ${nick} to exit 0 after Ctrl-C`);
    }
    this.#pass('host-a stopped in good order, the NATS nodes are gone, every client exited 0');
  }

  #client(nick: string): Actor {
    return this.#o.cast.actor(nick);
  }

  #pass(text: string): void {
    this.#o.transcript.pass(text);
  }
}
