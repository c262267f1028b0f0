/**
 * Forks the workers and keeps them alive: the watch on heartbeats, respawn with crash-loop
 * damping, rolling restart and shutdown; which of them may take a new connection (the
 * `ConnectionHandOff` picks one). What goes over each worker's IPC channel, both ways, is its
 * `WorkerLink`'s business (src/bus/); connections are handed over there rather than by cluster's
 * own round-robin (see worker-link.ts for why).
 */
import cluster, { type Worker } from 'node:cluster';
import type net from 'node:net';
import type { ListenerKind } from '../bus/messages.js';
import type { LinkEvents, WorkerLink } from '../bus/worker-link.js';
import type { Logger } from '../log.js';
import type { WorkerConfig } from '../server/worker-config.js';
import { ConnectionHandOff } from './connection-hand-off.js';
import { CrashLoopDamper, DEFAULT_CRASH_LOOP } from './crash-loop.js';
import { untilAborted } from './stop-signals.js';
import { checkPositiveInteger, checkPositiveNumber } from '../option-checks.js';

export interface SupervisorOptions {
  workers: number;
  workerPath: string;
  workerConfig: WorkerConfig;
  /** Opens the IPC link of a freshly forked worker, which reports to `events`. */
  link: (worker: Worker, events: LinkEvents) => WorkerLink;
  log: Logger;
  /** Milliseconds between two looks at how long each worker has been silent. */
  watchInterval: number;
  /** Milliseconds of silence after which a worker counts as hung. */
  heartbeatTimeout: number;
  /** Milliseconds a draining worker gets before it is killed. */
  drainTimeout: number;
}

type WorkerState = 'starting' | 'ready' | 'draining' | 'dead';

interface WorkerRecord {
  worker: Worker;
  link: WorkerLink;
  id: number;
  state: WorkerState;
  /** When it started taking connections; undefined before. */
  readyAt: number | undefined;
  /** Fires once it has taken connections for the crash loop's minimum uptime. */
  survivalTimer: NodeJS.Timeout | undefined;
  /** We killed it for a fault (hung, lagging): its death counts as a crash. */
  killedForFault: boolean;
  /** Whether a replacement must be forked when it exits. */
  respawn: boolean;
  /** How it ended, for the log: `code 1`, `signal SIGKILL`. */
  end: string | undefined;
  ready: Promise<boolean>;
  exited: Promise<void>;
  markReady: (ready: boolean) => void;
  markExited: () => void;
}

/**
 * Silence allowed to a worker that has not started yet: loading Node and our modules on a busy
 * machine can take longer than a short `--heartbeat-timeout`, and killing it for that would make
 * a crash loop out of a slow start.
 */
const START_GRACE_MS = 10_000;

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #records = new Map<number, WorkerRecord>();
  #rotation: WorkerRecord[] = [];
  /** The workers the rolling restart in progress has yet to replace. */
  readonly #toReplace = new Set<WorkerRecord>();
  readonly #handOff = new ConnectionHandOff(() => this.#handOffCandidates().map((record) => record.link));
  readonly #crashLoop = new CrashLoopDamper();
  #watchTimer: NodeJS.Timeout | undefined;
  /** When the last watch ran, and since when the primary has been awake to hear its workers. */
  #lastWatchAt = Date.now();
  #awakeSince = 0;
  #restarting = false;
  /** Workers forked to replace another, so far. */
  #restarts = 0;
  #stopping = false;

  constructor(options: SupervisorOptions) {
    checkPositiveInteger('workers', options.workers);
    checkPositiveNumber('watchInterval', options.watchInterval);
    checkPositiveNumber('heartbeatTimeout', options.heartbeatTimeout);
    checkPositiveNumber('drainTimeout', options.drainTimeout);
    this.#options = options;
    cluster.setupPrimary({ exec: options.workerPath });
  }

  /** Live workers taking connections. */
  get readyWorkers(): number {
    return this.#rotation.length;
  }

  /** Workers forked to replace another (a death, a hang, a rolling restart) so far. */
  get restarts(): number {
    return this.#restarts;
  }

  /**
   * Forks every worker; resolves once all of them take connections. `signal` interrupts it: no
   * more forks, and it rejects at once (`stop()` then ends the workers forked so far).
   */
  async start(signal: AbortSignal): Promise<void> {
    this.#lastWatchAt = Date.now();
    this.#watchTimer = setInterval(() => {
      this.#watch();
    }, this.#options.watchInterval);
    const records: WorkerRecord[] = [];
    for (let i = 0; i < this.#options.workers && !signal.aborted; i++) {
      records.push(this.#fork());
      // A fork blocks the event loop for a while: one per turn, so a Ctrl-C is heard between two.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await untilAborted(Promise.all(records.map((record) => record.ready)), signal, 'interrupted while starting');
    const dead = records.find((record) => record.state === 'dead');
    if (dead !== undefined) throw new Error(`worker ${dead.id} died while starting (${dead.end ?? 'unknown'})`);
  }

  /** Gives an accepted connection to the next ready worker; `port` says which listener took it. */
  handoff(socket: net.Socket, port: ListenerKind): void {
    this.#handOff.handOff(socket, port);
  }

  /**
   * During a rolling restart, the workers it has not replaced yet take no new connection: a client
   * handed to one would be moved again when its turn comes, and everyone would see it leave and
   * join twice. Only before the first replacement takes connections is there no other choice.
   */
  #handOffCandidates(): WorkerRecord[] {
    if (this.#toReplace.size === 0) return this.#rotation;
    const spared = this.#rotation.filter((record) => !this.#toReplace.has(record));
    return spared.length > 0 ? spared : this.#rotation;
  }

  /** Kills every worker at once: for a primary about to exit without waiting for them. */
  killAll(): void {
    for (const record of this.#records.values()) record.worker.process.kill('SIGKILL');
  }

  /** Replaces the workers one at a time, each new one taking connections before the old drains. */
  async rollingRestart(): Promise<void> {
    if (this.#restarting || this.#stopping) return;
    this.#restarting = true;
    this.#options.log.info('rolling restart');
    const plan = [...this.#records.values()].filter((record) => record.state !== 'dead' && record.state !== 'draining');
    for (const old of plan) this.#toReplace.add(old);
    try {
      for (const old of plan) {
        // A stop() meanwhile has retired every worker: the ones not replaced yet are draining and skipped.
        if (old.state === 'dead' || old.state === 'draining') continue;
        old.respawn = false;
        const fresh = this.#replacement();
        await fresh.ready;
        await this.#retire(old, 'worker restarting');
      }
      this.#options.log.info('rolling restart done');
    } finally {
      this.#toReplace.clear();
      this.#restarting = false;
    }
  }

  /** Drains every worker (clients get `BYE <reason>`), killing the ones that take too long. */
  async stop(reason: string): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#watchTimer);
    this.#handOff.close();
    await Promise.all([...this.#records.values()].map((record) => this.#retire(record, reason)));
  }

  #fork(): WorkerRecord {
    const worker = cluster.fork({ CHAT_WORKER_CONFIG: JSON.stringify(this.#options.workerConfig) });
    let markReady!: (ready: boolean) => void;
    let markExited!: () => void;
    const record: WorkerRecord = {
      worker,
      // Opened first: on exit it closes the hand-offs and tells the hub before we respawn.
      link: this.#options.link(worker, {
        ready: (pid) => {
          this.#onReady(record, pid);
        },
        // A worker that cannot keep up is replaced like any dead one; its clients refill from history.
        lagging: () => {
          this.#killForFault(record);
        },
        accepted: () => {
          this.#handOff.retryWaiting();
        },
      }),
      id: worker.id,
      state: 'starting',
      readyAt: undefined,
      survivalTimer: undefined,
      killedForFault: false,
      respawn: true,
      end: undefined,
      ready: new Promise((resolve) => (markReady = resolve)),
      exited: new Promise((resolve) => (markExited = resolve)),
      markReady,
      markExited,
    };
    this.#records.set(worker.id, record);
    worker.on('exit', (code, signal) => {
      this.#onExit(record, code, signal);
    });
    return record;
  }

  #onReady(record: WorkerRecord, pid: number): void {
    if (record.state !== 'starting') return;
    record.state = 'ready';
    record.readyAt = Date.now();
    record.survivalTimer = setTimeout(() => {
      this.#crashLoop.survived();
    }, DEFAULT_CRASH_LOOP.minUptimeMs);
    this.#rotation.push(record);
    this.#options.log.info(`worker ${record.id} listening (pid ${pid})`);
    record.markReady(true);
    this.#handOff.retryWaiting();
  }

  #onExit(record: WorkerRecord, code: number | null, signal: string | null): void {
    const { log } = this.#options;
    const wasDraining = record.state === 'draining';
    record.state = 'dead';
    clearTimeout(record.survivalTimer);
    this.#records.delete(record.id);
    this.#rotation = this.#rotation.filter((r) => r !== record);
    const how = signal === null ? `code ${code}` : `signal ${signal}`;
    record.end = record.killedForFault ? `${how}, killed by the primary` : how;
    if (wasDraining) log.info(`worker ${record.id} exited (${how})`);
    else log.warn(`worker ${record.id} died (${how})`);
    record.markReady(false);
    record.markExited();
    if (!record.respawn || this.#stopping) return;
    const uptimeMs = record.readyAt === undefined ? undefined : Date.now() - record.readyAt;
    this.#respawnAfter(this.#crashLoop.died({ code, signal, killedByPrimary: record.killedForFault, uptimeMs }));
  }

  /** A worker killed, or crashed after a healthy run, is replaced at once; a crash loop is damped. */
  #respawnAfter(delay: number): void {
    if (delay === 0) {
      this.#replacement();
      return;
    }
    const { minUptimeMs } = DEFAULT_CRASH_LOOP;
    this.#options.log.warn(
      `crash loop: ${this.#crashLoop.youngCrashes} workers in a row crashed within ${minUptimeMs} ms of starting; respawning in ${delay} ms`,
    );
    setTimeout(() => {
      if (!this.#stopping) this.#replacement();
    }, delay);
  }

  /** Forks a worker to replace another (counted: `clusterchat_worker_restarts_total`). */
  #replacement(): WorkerRecord {
    this.#restarts++;
    return this.#fork();
  }

  async #retire(record: WorkerRecord, reason: string): Promise<void> {
    if (record.state === 'dead') return record.exited;
    record.respawn = false;
    if (record.state === 'starting') {
      // Not handed a connection yet, so nothing to drain, and it may not read a drain yet.
      record.state = 'draining';
      record.worker.process.kill('SIGKILL');
      return record.exited;
    }
    if (record.state !== 'draining') {
      record.state = 'draining';
      this.#rotation = this.#rotation.filter((r) => r !== record);
      record.link.drain(reason);
    }
    const timer = setTimeout(() => {
      this.#options.log.warn(`worker ${record.id} did not drain in time; killing it`);
      record.worker.process.kill('SIGKILL');
    }, this.#options.drainTimeout);
    await record.exited;
    clearTimeout(timer);
  }

  /**
   * Kills the workers that have been silent too long. Workers send their heartbeats themselves,
   * from a timer: the worker-to-primary channel carries little else, so a heartbeat is never stuck
   * behind a backlog of deliveries the way our own ping would be in the other direction, and a
   * worker busy with a surge (a mass registration) is not taken for hung. Only a blocked event
   * loop stops its timer. The judgement runs in setImmediate, after the poll phase has read the
   * messages waiting: judged in the timer callback itself, a primary that was stalled (a busy
   * moment, a slow machine) would find every heartbeat unread and kill healthy workers.
   * Silence is counted only while the primary was awake to hear it: after a pause of its own
   * longer than half the timeout (SIGSTOP, a frozen machine resuming its processes one by one),
   * a worker gets the whole timeout again, counted from the primary's waking.
   */
  #watch(): void {
    setImmediate(() => {
      const now = Date.now();
      if (now - this.#lastWatchAt > this.#options.heartbeatTimeout / 2) this.#awakeSince = now;
      this.#lastWatchAt = now;
      for (const record of this.#records.values()) {
        const silence = now - Math.max(record.link.lastHeard, this.#awakeSince);
        const { heartbeatTimeout } = this.#options;
        const allowed = record.state === 'starting' ? Math.max(heartbeatTimeout, START_GRACE_MS) : heartbeatTimeout;
        if (record.state === 'dead' || silence <= allowed) continue;
        this.#options.log.error(`worker ${record.id} unresponsive for ${silence} ms; killing it`);
        this.#killForFault(record);
      }
    });
  }

  #killForFault(record: WorkerRecord): void {
    record.killedForFault = true;
    record.worker.process.kill('SIGKILL');
  }
}
