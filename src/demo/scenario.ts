/**
 * The defense scenario, step by step. Every step acts (types a line, sends a signal) and then
 * waits, with a deadline, for the lines that prove it worked; a step that does not see them
 * throws a `DemoFailure` naming what it expected.
 */
import type { Actor } from './actor.js';
import { isAlive } from '../processes.js';
import { marksOf, sayToAll, waitForAll } from './audience.js';
import type { Cast } from './cast.js';
import { clientLines, serverLines } from './client-lines.js';
import { DemoFailure, withDeadline } from './demo-failure.js';
import { samePublicStream } from './stream-check.js';
import type { Transcript } from './transcript.js';

export interface ScenarioOptions {
  cast: Cast;
  transcript: Transcript;
  /** How long any one expected line may take. */
  timeoutMs: number;
  /** A pause between steps, for a live audience (0: none). */
  paceMs: number;
  workers: number;
  adminToken: string;
  /** The clients; the second one's worker is killed, the third one is SIGKILLed. At least four. */
  nicks: readonly [string, string, string, string, ...string[]];
}

interface Step {
  title: string;
  /** Checks that need no waiting run synchronously. */
  run: () => Promise<void> | void;
}

const WELCOME = 'hello everyone, welcome to the clusterchat demo';
const REPLY = 'hi! I am served by another worker process';
const SECRET = 'psst, this one is only for you';
const ANNOUNCEMENT = 'the defense starts in five minutes';
const GAP = ['are you still there?', 'your worker was just killed; the primary forks a new one'] as const;

export class DefenseScenario {
  readonly #o: ScenarioOptions;
  readonly #workerOf = new Map<string, number>();
  #host = '127.0.0.1';
  #port = 0;
  #shutdownMarks = new Map<string, number>();

  constructor(options: ScenarioOptions) {
    this.#o = options;
  }

  get steps(): readonly Step[] {
    const [alice, bob, carol, dave] = this.#o.nicks;
    return [
      {
        title: `Start the server: the primary forks ${this.#o.workers} workers on a free port`,
        run: () => this.#startServer(),
      },
      { title: `${this.#o.nicks.length} clients connect, one after the other`, run: () => this.#connectClients() },
      {
        title: 'A public conversation: every line reaches every screen, the sender too',
        run: () => this.#converse(alice, bob),
      },
      { title: `A private message: /msg ${alice} reaches ${alice} only`, run: () => this.#privateMessage(bob, alice) },
      { title: `/users lists everyone, whichever worker serves them`, run: () => this.#listUsers(carol) },
      { title: `An operator announcement: /auth, then /announce`, run: () => this.#announce(alice) },
      { title: `${carol} vanishes: SIGKILL, no QUIT`, run: () => this.#vanish(carol) },
      {
        title: `kill -9 the worker serving ${bob}: the primary replaces it, ${bob} reconnects and fills the gap`,
        run: () => this.#killWorker(bob, [alice, dave]),
      },
      {
        title: 'Every screen holds the same public stream, in the same order',
        run: () => {
          this.#compareStreams([alice, bob, dave], dave, [carol, dave]);
        },
      },
      { title: 'Graceful shutdown: SIGTERM to the primary', run: () => this.#shutdown() },
      {
        title: 'The clients try to reconnect; Ctrl-C (SIGINT) ends each one cleanly',
        run: () => this.#interruptClients(),
      },
    ];
  }

  /** Runs the steps in order (only the first `stopAfter` when given); resolves with how many ran. */
  async run(stopAfter?: number): Promise<number> {
    const steps = this.steps.slice(0, stopAfter);
    for (const [index, step] of steps.entries()) {
      if (index > 0 && this.#o.paceMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#o.paceMs));
      this.#o.transcript.headline(`Step ${index + 1}/${this.steps.length}: ${step.title}`);
      await step.run();
    }
    return steps.length;
  }

  async #startServer(): Promise<void> {
    const { cast, workers, adminToken } = this.#o;
    const server = cast.startServer([
      '--workers',
      String(workers),
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--no-persist',
      '--admin-token',
      adminToken,
      '--log-level',
      'info',
    ]);
    const listening = await server.waitFor(serverLines.listening(workers), this.#o.timeoutMs);
    const [, host = '', port] = listening;
    this.#host = host;
    this.#port = Number(port);
    const pids = [...cast.liveWorkers].map(([id, pid]) => `${id} (pid ${pid})`).join(', ');
    this.#pass(`the primary (pid ${server.pid}) listens on ${this.#host}:${this.#port}; workers ${pids}`);
  }

  async #connectClients(): Promise<void> {
    const { cast, nicks } = this.#o;
    for (const nick of nicks) {
      const client = cast.startClient(nick, this.#host, this.#port);
      const connected = await client.waitFor(clientLines.connected(nick), this.#o.timeoutMs);
      this.#workerOf.set(nick, Number(connected[1]));
    }
    const last = nicks.at(-1);
    if (last === undefined) throw new DemoFailure('expected at least one client in the cast');
    await waitForAll(this.#o, nicks, clientLines.join(last));
    const where = nicks.map((nick) => `${nick} on worker ${this.#workerOf.get(nick)}`).join(', ');
    this.#pass(`everyone saw ${last} join; ${where}`);
  }

  async #converse(first: string, second: string): Promise<void> {
    const everyone = this.#o.nicks;
    await sayToAll(this.#o, first, WELCOME, everyone);
    await sayToAll(this.#o, second, REPLY, everyone);
    this.#pass(`both messages reached all ${everyone.length} clients`);
  }

  async #privateMessage(from: string, to: string): Promise<void> {
    const sender = this.#client(from);
    const from0 = sender.mark();
    sender.type(`/msg ${to} ${SECRET}`);
    await this.#client(to).waitFor(clientLines.dmReceived(from, SECRET), this.#o.timeoutMs);
    await sender.waitFor(clientLines.dmSent(to, SECRET), this.#o.timeoutMs, from0);
    this.#pass(`${to} got it from ${from}, and ${from} saw it confirmed (the others are checked in step 9)`);
  }

  async #listUsers(who: string): Promise<void> {
    const client = this.#client(who);
    const from = client.mark();
    client.type('/users');
    const sorted = [...this.#o.nicks].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    await client.waitFor(clientLines.users(sorted), this.#o.timeoutMs, from);
    this.#pass(`${who} sees all ${sorted.length} users across ${new Set(this.#workerOf.values()).size} workers`);
  }

  async #announce(operator: string): Promise<void> {
    const client = this.#client(operator);
    const from = client.mark();
    client.type(`/auth ${this.#o.adminToken}`);
    await client.waitFor(clientLines.operator, this.#o.timeoutMs, from);
    const marks = marksOf(this.#o, this.#o.nicks);
    client.type(`/announce ${ANNOUNCEMENT}`);
    await waitForAll(this.#o, this.#o.nicks, clientLines.announce(ANNOUNCEMENT), marks);
    this.#pass(`${operator} became an operator; the announcement reached everyone`);
  }

  async #vanish(victim: string): Promise<void> {
    const others = this.#online().filter((nick) => nick !== victim);
    const marks = marksOf(this.#o, others);
    const client = this.#client(victim);
    client.signal('SIGKILL');
    const status = await client.ended;
    if (status.signal !== 'SIGKILL')
      throw new DemoFailure(`expected ${victim} to die of SIGKILL; it exited with ${status.code}`);
    await waitForAll(this.#o, others, clientLines.leave(victim, 'disconnected'), marks);
    this.#pass(`${others.join(', ')} saw ${victim} leave (disconnected)`);
  }

  async #killWorker(victim: string, senders: readonly string[]): Promise<void> {
    const { cast, timeoutMs } = this.#o;
    const workerId = this.#workerOf.get(victim);
    if (workerId === undefined) throw new DemoFailure(`expected ${victim} to be connected to a worker`);
    const shared = senders.filter((nick) => this.#workerOf.get(nick) === workerId);
    if (shared.length > 0)
      throw new DemoFailure(`expected ${victim} to have worker ${workerId} to itself; ${shared.join(', ')} share it`);
    const pid = cast.liveWorkers.get(workerId);
    if (pid === undefined) throw new DemoFailure(`expected the server log to name the pid of worker ${workerId}`);
    const server = cast.server;
    const client = this.#client(victim);
    const serverFrom = server.mark();
    const victimFrom = client.mark();
    const marks = marksOf(this.#o, senders);
    this.#o.transcript.remark(`kill -9 ${pid}   (worker ${workerId}, serving ${victim})`);
    process.kill(pid, 'SIGKILL');

    await server.waitFor(serverLines.workerDied(workerId), timeoutMs, serverFrom);
    await client.waitFor(clientLines.disconnected, timeoutMs, victimFrom);
    // Said while the victim is away: it must get these from HISTORY SINCE after its reconnect.
    const gap = GAP.map((text, i) => {
      const sender = senders[i % senders.length];
      if (sender === undefined) throw new DemoFailure(`expected someone besides ${victim} to talk while it is away`);
      return { sender, text };
    });
    for (const { sender, text } of gap) this.#client(sender).type(text);
    await waitForAll(this.#o, senders, clientLines.leave(victim, 'worker lost'), marks);
    for (const { sender, text } of gap) await waitForAll(this.#o, senders, clientLines.message(sender, text), marks);

    const fresh = await this.#newWorker(serverFrom, workerId);
    const reconnected = await client.waitFor(clientLines.reconnected(victim), timeoutMs, victimFrom);
    this.#workerOf.set(victim, Number(reconnected[1]));
    const after = client.indexOf(clientLines.reconnected(victim), victimFrom);
    const replayed = await client.waitFor(clientLines.replayed, timeoutMs, after);
    for (const { sender, text } of gap) await client.waitFor(clientLines.message(sender, text), timeoutMs, after);
    await waitForAll(this.#o, senders, clientLines.join(victim), marks);
    this.#pass(
      `the primary replaced worker ${workerId} with worker ${fresh}; ${senders.join(' and ')} saw ${victim} leave (worker lost) and come back`,
    );
    this.#pass(
      `${victim} reconnected to worker ${reconnected[1]} and replayed ${replayed[1]} events: both messages said while it was away are on its screen`,
    );
  }

  async #newWorker(from: number, dead: number): Promise<number> {
    const server = this.#o.cast.server;
    for (let at = from; ;) {
      const match = await server.waitFor(serverLines.workerUp, this.#o.timeoutMs, at);
      if (Number(match[1]) !== dead) return Number(match[1]);
      at = server.indexOf(serverLines.workerUp, at) + 1;
    }
  }

  #compareStreams(nicks: readonly string[], lastJoined: string, outsiders: readonly string[]): void {
    const result = samePublicStream(
      nicks.map((nick) => this.#client(nick)),
      clientLines.join(lastJoined),
    );
    if (!result.same) throw new DemoFailure(result.explanation, result.evidence);
    for (const outsider of outsiders) {
      if (this.#client(outsider).find(clientLines.mentioning(SECRET)) !== undefined) {
        throw new DemoFailure(`expected ${outsider} never to see the private message`, [SECRET]);
      }
    }
    this.#pass(`${nicks.join(', ')}: the same ${result.length} public events, line for line, in the same order`);
    this.#pass(`the private message shows on its two ends only; ${outsiders.join(' and ')} never saw it`);
  }

  async #shutdown(): Promise<void> {
    const { cast, timeoutMs } = this.#o;
    const online = this.#online();
    const marks = marksOf(this.#o, online);
    const workers = [...cast.liveWorkers.values()];
    this.#shutdownMarks = marks;
    cast.server.signal('SIGTERM');
    await waitForAll(this.#o, online, clientLines.disconnectedBecause('server shutting down'), marks);
    const status = await withDeadline(cast.server.ended, timeoutMs, 'expected the primary to exit after SIGTERM');
    if (status.code !== 0)
      throw new DemoFailure(`expected the primary to exit with code 0; it exited with ${status.code ?? status.signal}`);
    const stopped = cast.server.find(serverLines.stopped);
    const left = workers.filter(isAlive);
    if (left.length > 0) throw new DemoFailure(`expected every worker to be gone; pids ${left.join(', ')} still run`);
    this.#pass(
      `${online.join(', ')} were told why (BYE server shutting down); the primary exited 0${stopped === undefined ? '' : ` at seq ${stopped[1]}`}, no worker left`,
    );
  }

  async #interruptClients(): Promise<void> {
    const online = this.#online();
    // They retry a few times before giving up; Ctrl-C comes well before that.
    await waitForAll(this.#o, online, clientLines.reconnecting, this.#shutdownMarks);
    for (const nick of online) {
      const client = this.#client(nick);
      client.signal('SIGINT');
      const status = await withDeadline(client.ended, this.#o.timeoutMs, `expected ${nick} to exit after SIGINT`);
      if (status.code !== 0)
        throw new DemoFailure(
          `expected ${nick} to exit 0 after Ctrl-C; it exited with ${status.code ?? status.signal}`,
        );
      if (client.find(clientLines.quit) === undefined) throw new DemoFailure(`expected ${nick} to print "* quit"`);
    }
    this.#pass(`${online.join(', ')} exited 0`);
  }

  #online(): string[] {
    return this.#o.nicks.filter((nick) => this.#client(nick).running);
  }

  #client(nick: string): Actor {
    return this.#o.cast.actor(nick);
  }

  #pass(text: string): void {
    this.#o.transcript.pass(text);
  }
}
