/**
 * The harness's side of the load generators: starts them, splits clients, senders and rate
 * among them, and sums what they report.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnWithFileLimit, stopProcessTree } from './child-processes.js';
import type { ClientEndpoint } from './bench-client.js';
import { isLoadReply, type LoadRequestBody, type LoadResults, type Progress } from './load-messages.js';
import { LatencyHistogram } from './stats.js';

const GENERATOR_PATH = fileURLToPath(new URL('./load-generator.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Keeps a hung server or generator from stalling the run: no request legitimately takes longer. */
const REQUEST_TIMEOUT_MS = 120_000;

type RequestType = LoadRequestBody['type'];

interface Pending {
  resolve: (result: LoadResults[RequestType]) => void;
  reject: (error: Error) => void;
}

class LoadGenerator {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: unknown) => {
      if (!isLoadReply(message)) return;
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.type === 'reply') pending?.resolve(message.result);
      else pending?.reject(new Error(`load generator: ${message.message}`));
    });
    child.on('error', (error) => {
      // A send on a closed channel (the run is being stopped) is reported to the send's callback too.
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
    child.once('exit', (code, signal) => {
      for (const pending of this.#pending.values())
        pending.reject(new Error(`load generator exited (${signal ?? code})`));
      this.#pending.clear();
    });
  }

  request<T extends RequestType>(body: Extract<LoadRequestBody, { type: T }>): Promise<LoadResults[T]> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`load generator: no answer to ${body.type} within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, {
        // The generator answers a request of type T with LoadResults[T] (see load-generator.ts).
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result as LoadResults[T]);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#child.send({ ...body, id }, (error) => {
        if (error === null) return;
        this.#pending.get(id)?.reject(error);
        this.#pending.delete(id);
      });
    });
  }

  stop(): Promise<void> {
    return stopProcessTree(this.#child, 1_000);
  }
}

/** Splits `total` into `parts` whole shares that differ by at most one. */
export function splitEvenly(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

export interface SendPlan {
  senders: number;
  rate: number;
  durationMs: number;
  size: number;
}

export class LoadFleet {
  readonly #generators: LoadGenerator[];
  /** Senders per generator, as set by the last connect. */
  #senderShares: number[] = [];

  private constructor(generators: LoadGenerator[]) {
    this.#generators = generators;
  }

  static async start(count: number): Promise<LoadFleet> {
    const generators = Array.from({ length: count }, () => {
      const child = spawnWithFileLimit([process.execPath, '--import=tsx', GENERATOR_PATH], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      return new LoadGenerator(child);
    });
    const fleet = new LoadFleet(generators);
    await fleet.#all(() => ({ type: 'reset' }));
    return fleet;
  }

  get size(): number {
    return this.#generators.length;
  }

  /**
   * Opens `clients` connections spread over the generators; the first `senders` of each share
   * will send, the last `sampledPerGenerator` decode latencies. With several endpoints (the hosts
   * of one chat), generator i connects to endpoint i (round robin). Resolves with how many opened.
   */
  async connect(
    endpoints: readonly ClientEndpoint[],
    clients: number,
    senders: number,
    sampledPerGenerator: number,
    concurrency: number,
  ): Promise<number> {
    const shares = splitEvenly(clients, this.size);
    this.#senderShares = splitEvenly(senders, this.size);
    const perGeneratorConcurrency = Math.max(1, Math.floor(concurrency / this.size));
    let firstIndex = 0;
    const results = await Promise.all(
      this.#generators.map((generator, i) => {
        const count = shares[i] ?? 0;
        const endpoint = endpoints[i % endpoints.length];
        if (endpoint === undefined) throw new Error('no endpoint to connect to');
        const request = {
          type: 'connect' as const,
          ...endpoint,
          firstIndex,
          count,
          sampled: sampledPerGenerator,
          concurrency: perGeneratorConcurrency,
        };
        firstIndex += count;
        return generator.request(request);
      }),
    );
    return results.reduce((sum, result) => sum + result.connected, 0);
  }

  /** Registers every connected client; resolves with how many the server confirmed within `limitMs`. */
  async register(limitMs: number): Promise<number> {
    const results = await this.#all(() => ({ type: 'register', limitMs }));
    return results.reduce((sum, result) => sum + result.registered, 0);
  }

  async reset(): Promise<void> {
    await this.#all(() => ({ type: 'reset' }));
  }

  /** Sends at `plan.rate` messages/s in total, each generator in proportion to its senders. */
  async send(plan: SendPlan): Promise<number> {
    const results = await Promise.all(
      this.#generators.map((generator, i) => {
        const senders = this.#senderShares[i] ?? 0;
        return generator.request({ type: 'send', ...plan, senders, rate: (plan.rate * senders) / plan.senders });
      }),
    );
    return results.reduce((sum, result) => sum + result.sent, 0);
  }

  async progress(): Promise<Progress> {
    return sumProgress(await this.#all(() => ({ type: 'progress' })));
  }

  async report(): Promise<FleetReport> {
    const reports = await this.#all(() => ({ type: 'report' }));
    const latencies = new LatencyHistogram();
    for (const report of reports)
      latencies.merge(LatencyHistogram.fromSparse(report.latencyBuckets, report.latencyMaxMicros));
    return {
      ...sumProgress(reports),
      sent: reports.reduce((sum, report) => sum + report.sent, 0),
      latencies,
      generatorCpuMicros: reports.map((report) => report.cpuMicros),
    };
  }

  async closeClients(): Promise<void> {
    await this.#all(() => ({ type: 'close' }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#generators.map((generator) => generator.stop()));
  }

  #all<T extends RequestType>(body: () => Extract<LoadRequestBody, { type: T }>): Promise<Array<LoadResults[T]>> {
    return Promise.all(this.#generators.map((generator) => generator.request(body())));
  }
}

export interface FleetReport extends Progress {
  sent: number;
  latencies: LatencyHistogram;
  /** CPU each generator spent since the last reset. */
  generatorCpuMicros: number[];
}

function sumProgress(parts: Progress[]): Progress {
  return {
    msgs: parts.reduce((sum, part) => sum + part.msgs, 0),
    joins: parts.reduce((sum, part) => sum + part.joins, 0),
    chunks: parts.reduce((sum, part) => sum + part.chunks, 0),
    open: parts.reduce((sum, part) => sum + part.open, 0),
    lastMsgAtMicros: Math.max(0, ...parts.map((part) => part.lastMsgAtMicros)),
  };
}
