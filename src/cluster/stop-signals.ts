/**
 * SIGINT and SIGTERM, heard from the primary's first step. While it starts, one interrupts the
 * start (which then ends with the shell's exit code for that signal); once it runs, one shuts it
 * down gracefully; a second one while it stops exits at once.
 */
import type { Logger } from '../log.js';

export type PrimaryPhase = 'starting' | 'running' | 'stopping';

/** The shell's exit codes for a start-up ended by a signal. */
const INTERRUPTED_EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

export class StopSignals {
  readonly #log: Logger;
  readonly #starting = new AbortController();
  #phase: PrimaryPhase = 'starting';
  #interruptedBy: string | undefined;
  #shutDown: (signal: string) => void = () => {};
  /** Until there are workers to kill, exiting at once is only exiting. */
  #exitNow: () => void = () => process.exit(1);

  constructor(log: Logger) {
    this.#log = log;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        this.#received(signal);
      });
    }
  }

  get phase(): PrimaryPhase {
    return this.#phase;
  }

  /** Aborted when a signal interrupts the start. */
  get startInterrupted(): AbortSignal {
    return this.#starting.signal;
  }

  /** The exit code of a start a signal interrupted; undefined when none did. */
  get interruptedExitCode(): number | undefined {
    return this.#interruptedBy === undefined ? undefined : (INTERRUPTED_EXIT_CODES[this.#interruptedBy] ?? 1);
  }

  /** What a second signal does once there is more to end than this process. */
  exitNowBy(exitNow: () => void): void {
    this.#exitNow = exitNow;
  }

  /** From now on a signal calls `shutDown`. */
  running(shutDown: (signal: string) => void): void {
    this.#phase = 'running';
    this.#shutDown = shutDown;
  }

  /** The start failed: what is left of it is being closed. */
  stopping(): void {
    this.#phase = 'stopping';
  }

  #received(signal: string): void {
    switch (this.#phase) {
      case 'stopping':
        this.#log.warn(`second ${signal}: exiting now`);
        this.#exitNow();
        return;
      case 'starting':
        this.#phase = 'stopping';
        this.#interruptedBy = signal;
        this.#log.info(`${signal}: interrupted while starting`);
        this.#starting.abort();
        return;
      case 'running':
        this.#phase = 'stopping';
        this.#shutDown(signal);
        return;
    }
  }
}

/** `promise`, or `Error(message)` as soon as `signal` aborts (what `promise` still does is left to it). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, message: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error(message));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(new Error(message));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}
