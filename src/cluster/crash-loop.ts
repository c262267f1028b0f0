/**
 * Crash-loop damping by uptime, as PM2's `min_uptime` does: only a worker that crashes young —
 * before it took connections, or within `minUptimeMs` of it — counts towards a crash loop, and
 * its replacement waits a delay that doubles with each young crash in a row. A replacement that
 * lives `minUptimeMs` ends the loop.
 *
 * A worker killed from outside (`kill -9`, `kill`) did not crash: whatever its age, it is replaced
 * at once, so a storm of kills never leaves the server without workers. What counts as a crash:
 * a non-zero exit code (an uncaught exception, a failed start), a fatal signal of its own
 * (SIGSEGV, SIGABRT…), or being killed by the primary for hanging or lagging. The one blind spot:
 * the kernel's OOM killer also sends SIGKILL, so a worker that runs out of memory at every start
 * is replaced at once each time.
 */
export interface CrashLoopOptions {
  minUptimeMs: number;
  /** Young crashes in a row that are still replaced at once. */
  freeCrashes: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_CRASH_LOOP: CrashLoopOptions = {
  minUptimeMs: 1_000,
  freeCrashes: 2,
  firstDelayMs: 500,
  maxDelayMs: 10_000,
};

/** Signals someone sends a worker on purpose: its death is no crash. */
const DELIBERATE_SIGNALS: ReadonlySet<string> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP']);

/** How a worker ended, as the supervisor saw it. */
export interface WorkerDeath {
  code: number | null;
  signal: string | null;
  /** The primary killed it (hung, lagging): a fault of the worker, not a deliberate stop. */
  killedByPrimary: boolean;
  /** How long it had been taking connections; undefined if it never did. */
  uptimeMs: number | undefined;
}

export function isCrash(death: WorkerDeath): boolean {
  if (death.killedByPrimary) return true;
  return death.signal === null ? death.code !== 0 : !DELIBERATE_SIGNALS.has(death.signal);
}

export class CrashLoopDamper {
  readonly #options: CrashLoopOptions;
  /** Young crashes since the last worker that lived long enough. */
  #youngCrashes = 0;

  constructor(options: CrashLoopOptions = DEFAULT_CRASH_LOOP) {
    this.#options = options;
  }

  get youngCrashes(): number {
    return this.#youngCrashes;
  }

  /** A worker died; returns how long to wait before forking its replacement. */
  died(death: WorkerDeath): number {
    const { minUptimeMs, freeCrashes, firstDelayMs, maxDelayMs } = this.#options;
    if (!isCrash(death)) return 0;
    if (death.uptimeMs !== undefined && death.uptimeMs >= minUptimeMs) {
      this.#youngCrashes = 0;
      return 0;
    }
    this.#youngCrashes++;
    const damped = this.#youngCrashes - freeCrashes;
    return damped <= 0 ? 0 : Math.min(maxDelayMs, firstDelayMs * 2 ** (damped - 1));
  }

  /** A worker has taken connections for `minUptimeMs`: whatever was looping has stopped. */
  survived(): void {
    this.#youngCrashes = 0;
  }
}
