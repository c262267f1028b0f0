/**
 * Forks the workers and keeps them alive: the ready handshake, the hand-off of every accepted
 * connection, the watch on heartbeats, respawn with crash-loop damping, rolling restart and
 * shutdown.
 *
 * Connections are handed over here rather than by cluster's own round-robin because cluster's
 * hand-off holds each socket until the worker acknowledges it, and leaks it for good if the worker
 * dies first: the client then sits on an open connection that nobody will ever greet. Plain
 * `worker.send(message, socket)` has the same flaw (Node keeps its copy of the socket until the
 * worker's acknowledgement, and a worker that dies without one leaves the IPC channel half
 * disconnected and the copy open), so we send with `keepOpen` and close our copy ourselves as soon
 * as the write is done: from then on the socket travels in the kernel's message, which closes it
 * if the worker dies before reading it. Sockets still queued behind an unacknowledged hand-off are
 * tracked and closed when their worker dies. So every accepted connection is greeted or closed.
 */
import cluster, { type Worker } from 'node:cluster';
import type net from 'node:net';
import type { ClusterHubBus } from '../bus/cluster-hub-bus.js';
import { isWorkerMessage, type PrimaryMessage, type WorkerMessage } from '../bus/messages.js';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../log.js';
import type { WorkerConfig } from '../worker.js';
import { CrashLoopDamper, DEFAULT_CRASH_LOOP } from './crash-loop.js';

export interface SupervisorOptions {
  workers: number;
  workerPath: string;
  workerConfig: WorkerConfig;
  hub: Hub;
  bus: ClusterHubBus;
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
  id: number;
  state: WorkerState;
  /** When the worker last said anything (its fork, for a new worker). */
  lastHeard: number;
  /** When it started taking connections; undefined before. */
  readyAt: number | undefined;
  /** Fires once it has taken connections for the crash loop's minimum uptime. */
  survivalTimer: NodeJS.Timeout | undefined;
  /** We killed it for a fault (hung, lagging): its death counts as a crash. */
  killedForFault: boolean;
  /** Sockets handed to this worker that are not written to its IPC channel yet. */
  inHandoff: Set<net.Socket>;
  /** Whether a replacement must be forked when it exits. */
  respawn: boolean;
  ready: Promise<boolean>;
  exited: Promise<void>;
  markReady: (ready: boolean) => void;
  markExited: () => void;
}

/** Connections kept waiting while no worker is ready (all died at once). */
const MAX_WAITING_SOCKETS = 1_000;
/**
 * How long a connection waits for a worker before it is closed: every connection is greeted or
 * closed within 3 s. A worker forked at once is ready well within it; one held back by crash-loop
 * damping is not, and the client is better off told by a close, and reconnecting with its own
 * backoff, than left on a silent connection.
 */
const MAX_WAIT_FOR_WORKER_MS = 2_500;
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
  #next = 0;
  /** Connections waiting for a ready worker, each with the timer that closes it. */
  readonly #waiting = new Map<net.Socket, NodeJS.Timeout>();
  readonly #crashLoop = new CrashLoopDamper();
  #watchTimer: NodeJS.Timeout | undefined;
  #restarting = false;
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    cluster.setupPrimary({ exec: options.workerPath });
  }

  /** Forks every worker; resolves once all of them take connections. */
  async start(): Promise<void> {
    const records = Array.from({ length: this.#options.workers }, () => this.#fork());
    this.#watchTimer = setInterval(() => {
      this.#watch();
    }, this.#options.watchInterval);
    const ready = await Promise.all(records.map((record) => record.ready));
    if (ready.includes(false)) throw new Error('a worker died while starting');
  }

  get readyWorkers(): number {
    return this.#rotation.length;
  }

  /** Gives an accepted connection to the next ready worker. */
  handoff(socket: net.Socket): void {
    socket.on('error', () => {});
    if (this.#stopping) {
      socket.destroy();
      return;
    }
    const record = this.#rotation[this.#next % this.#rotation.length];
    if (record === undefined) {
      if (this.#waiting.size >= MAX_WAITING_SOCKETS) {
        socket.destroy();
        return;
      }
      const timer = setTimeout(() => {
        this.#waiting.delete(socket);
        socket.destroy();
      }, MAX_WAIT_FOR_WORKER_MS);
      this.#waiting.set(socket, timer);
      return;
    }
    this.#next++;
    record.inHandoff.add(socket);
    // Sent or failed, our copy goes: the worker holds its own, or the client sees the close.
    this.#sendTo(record, { type: 'connection' }, socket, () => {
      record.inHandoff.delete(socket);
      socket.destroy();
    });
  }

  /** Kills a worker that cannot keep up; it is replaced like any dead worker. */
  kill(workerId: number): void {
    const record = this.#records.get(workerId);
    if (record !== undefined) this.#killForFault(record);
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
    try {
      for (const old of [...this.#records.values()]) {
        // A stop() meanwhile has retired every worker: the ones not replaced yet are draining and skipped.
        if (old.state === 'dead' || old.state === 'draining') continue;
        old.respawn = false;
        const fresh = this.#fork();
        await fresh.ready;
        await this.#retire(old, 'worker restarting');
      }
      this.#options.log.info('rolling restart done');
    } finally {
      this.#restarting = false;
    }
  }

  /** Drains every worker (clients get `BYE <reason>`), killing the ones that take too long. */
  async stop(reason: string): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#watchTimer);
    for (const [socket, timer] of this.#waiting) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.#waiting.clear();
    await Promise.all([...this.#records.values()].map((record) => this.#retire(record, reason)));
  }

  #fork(): WorkerRecord {
    const worker = cluster.fork({ CHAT_WORKER_CONFIG: JSON.stringify(this.#options.workerConfig) });
    let markReady!: (ready: boolean) => void;
    let markExited!: () => void;
    const record: WorkerRecord = {
      worker,
      id: worker.id,
      state: 'starting',
      lastHeard: Date.now(),
      readyAt: undefined,
      survivalTimer: undefined,
      killedForFault: false,
      inHandoff: new Set(),
      respawn: true,
      ready: new Promise((resolve) => (markReady = resolve)),
      exited: new Promise((resolve) => (markExited = resolve)),
      markReady,
      markExited,
    };
    this.#records.set(worker.id, record);
    worker.on('message', (message: unknown) => {
      this.#onMessage(record, message);
    });
    worker.on('error', (error) => {
      this.#options.log.debug(`worker ${record.id}: ${error.message}`);
    });
    worker.on('exit', (code, signal) => {
      this.#onExit(record, code, signal);
    });
    return record;
  }

  #onMessage(record: WorkerRecord, message: unknown): void {
    if (record.state === 'dead') return;
    record.lastHeard = Date.now();
    if (!isWorkerMessage(message)) {
      this.#options.log.warn(`worker ${record.id} sent a message of unknown form; ignored`);
      return;
    }
    this.#handle(record, message);
  }

  #handle(record: WorkerRecord, message: WorkerMessage): void {
    const { hub, bus, log } = this.#options;
    switch (message.type) {
      case 'requests':
        for (const request of message.batch) hub.handle(record.id, request);
        return;
      case 'heartbeat':
        // Any message is a sign of life (see #onMessage); this one exists to be one.
        return;
      case 'hello':
        // Broadcasts reach the worker from the same moment as its starting seq: none is missed.
        this.#sendTo(record, { type: 'init', epoch: hub.epoch, lastSeq: hub.lastSeq });
        bus.attach(record.id, (out, callback) => this.#sendTo(record, out, undefined, callback));
        return;
      case 'ready':
        if (record.state !== 'starting') return;
        record.state = 'ready';
        record.readyAt = Date.now();
        record.survivalTimer = setTimeout(() => {
          this.#crashLoop.survived();
        }, DEFAULT_CRASH_LOOP.minUptimeMs);
        this.#rotation.push(record);
        log.info(`worker ${record.id} listening (pid ${message.pid})`);
        record.markReady(true);
        for (const [socket, timer] of this.#waiting) {
          clearTimeout(timer);
          this.#waiting.delete(socket);
          this.handoff(socket);
        }
        return;
      case 'drained':
        record.worker.disconnect();
        return;
    }
  }

  #onExit(record: WorkerRecord, code: number | null, signal: string | null): void {
    const { hub, bus, log } = this.#options;
    const wasDraining = record.state === 'draining';
    record.state = 'dead';
    clearTimeout(record.survivalTimer);
    this.#records.delete(record.id);
    this.#rotation = this.#rotation.filter((r) => r !== record);
    bus.detach(record.id);
    if (record.inHandoff.size > 0) {
      log.warn(`worker ${record.id} died holding ${record.inHandoff.size} connections in hand-off; closed them`);
      for (const socket of record.inHandoff) socket.destroy();
    }
    hub.workerLost(record.id);
    const how = signal === null ? `code ${code}` : `signal ${signal}`;
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
      this.#fork();
      return;
    }
    const { minUptimeMs } = DEFAULT_CRASH_LOOP;
    this.#options.log.warn(
      `crash loop: ${this.#crashLoop.youngCrashes} workers in a row crashed within ${minUptimeMs} ms of starting; respawning in ${delay} ms`,
    );
    setTimeout(() => {
      if (!this.#stopping) this.#fork();
    }, delay);
  }

  async #retire(record: WorkerRecord, reason: string): Promise<void> {
    if (record.state === 'dead') return record.exited;
    record.respawn = false;
    if (record.state !== 'draining') {
      record.state = 'draining';
      this.#rotation = this.#rotation.filter((r) => r !== record);
      this.#sendTo(record, { type: 'drain', reason });
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
   */
  #watch(): void {
    setImmediate(() => {
      const now = Date.now();
      for (const record of this.#records.values()) {
        const silence = now - record.lastHeard;
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

  /** Sends to a worker; a worker that is gone fails the callback, never the primary. */
  #sendTo(
    record: WorkerRecord,
    message: PrimaryMessage,
    handle?: net.Socket,
    callback: (error: Error | null) => void = () => {},
  ): boolean {
    if (record.state === 'dead' || !record.worker.isConnected()) {
      process.nextTick(callback, new Error(`worker ${record.id} is gone`));
      return false;
    }
    // keepOpen: see the top of this file; `handoff` closes our copy once it is sent.
    return record.worker.send(message, handle, { keepOpen: true }, callback);
  }
}
