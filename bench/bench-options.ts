/** What one benchmark run measures; run.ts fills it from the command line. */
import type { TargetName } from './targets.js';

export type BenchMode = 'fixed' | 'ramp' | 'idle' | 'all';

export interface BenchOptions {
  workers: number[];
  clients: number;
  senders: number;
  /** Messages per second sent in total by all senders (fixed mode, and the ramp's first step). */
  rate: number;
  durationS: number;
  /** Bytes of message text. */
  size: number;
  mode: BenchMode;
  targets: TargetName[];
  /** Load-generator processes. */
  generators: number;
  /** Clients per load generator that decode every message's latency. */
  sampledPerGenerator: number;
  /** Length of one ramp step. */
  stepS: number;
  /** Connection counts for the idle mode. */
  idleClients: number[];
  /** The longest a JOIN storm may take before the idle mode gives up waiting for it. */
  stormLimitS: number;
  /** Connection attempts in flight at once, over all generators. */
  connectConcurrency: number;
  /** When set, servers run with `--cpu-prof` and write their profiles here. */
  profileDir: string | undefined;
}

export function includesMode(options: BenchOptions, mode: Exclude<BenchMode, 'all'>): boolean {
  return options.mode === 'all' || options.mode === mode;
}

/** Node arguments for the servers under test. */
export function serverNodeArgs(options: BenchOptions): string[] {
  return options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`];
}
