/**
 * `npm run bench`: clusterchat against Socket.IO's cluster adapter and a single-process `net`
 * floor, same workload, same run. See bench/README.md for what is measured and how.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { BenchMode, BenchOptions } from './bench-options.js';
import { includesMode } from './bench-options.js';
import { endChildrenOnExit } from './child-processes.js';
import { runIdleMode } from './idle-mode.js';
import { LoadFleet } from './load-fleet.js';
import { runLoadModes } from './load-modes.js';
import { MIN_PAYLOAD_BYTES } from './payload.js';
import { findNatsServer } from '../src/demo/nats-servers.js';
import { buildReferenceServers } from './reference-build.js';
import {
  formatTables,
  formatTargetCheck,
  machineInfo,
  writeResults,
  type BenchResults,
  type TargetRun,
} from './report.js';
import { DEFAULT_TARGETS, TARGET_NAMES, TARGETS, type TargetName } from './targets.js';

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a positive integer');
  return number;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('must be a positive number');
  return number;
}

function integerList(value: string): number[] {
  return value.split(',').map((part) => positiveInteger(part.trim()));
}

function targetList(value: string): TargetName[] {
  return value.split(',').map((part) => {
    const name = TARGET_NAMES.find((target) => target === part.trim());
    if (name === undefined)
      throw new InvalidArgumentError(`unknown target "${part}" (one of ${TARGET_NAMES.join(', ')})`);
    return name;
  });
}

function messageSize(value: string): number {
  const size = positiveInteger(value);
  if (size < MIN_PAYLOAD_BYTES || size > 4000)
    throw new InvalidArgumentError(`must be ${MIN_PAYLOAD_BYTES}–4000 bytes (the text carries a timestamp)`);
  return size;
}

const program = new Command('bench')
  .description('clusterchat side by side with Socket.IO (cluster adapter) and a single-process net floor')
  .option('--workers <list>', 'worker counts to measure, e.g. 1,2,4', integerList, [1, 2, 4])
  .option('--clients <count>', 'registered clients', positiveInteger, 200)
  .option('--senders <count>', 'clients that send', positiveInteger, 10)
  .option('--rate <msgs>', 'messages per second sent in total (fixed mode; first ramp step)', positiveNumber, 500)
  .option('--duration <seconds>', 'length of the fixed window', positiveNumber, 5)
  .option('--size <bytes>', 'message text size', messageSize, 64)
  .addOption(new Option('--mode <mode>', 'what to measure').choices(['fixed', 'ramp', 'idle', 'all']).default('all'))
  .option('--targets <list>', `servers to compare (${TARGET_NAMES.join(', ')})`, targetList, [...DEFAULT_TARGETS])
  .option('--generators <count>', 'load-generator processes', positiveInteger, 2)
  .option('--sampled <count>', 'clients per load generator that decode every latency', positiveInteger, 4)
  .option('--step <seconds>', 'length of one ramp step', positiveNumber, 2)
  .option('--idle-clients <list>', 'connection counts for the idle mode', integerList, [5000, 10000])
  .option('--storm-limit <seconds>', 'longest wait for a JOIN storm in the idle mode', positiveNumber, 15)
  .option('--connect-concurrency <count>', 'connection attempts in flight at once', positiveInteger, 256)
  .option('--profile <dir>', 'run the servers with --cpu-prof, writing profiles to <dir>')
  .option('--quick', 'a short run for smoke testing', false)
  .action(async () => {
    const options = readOptions();
    validate(options);
    const results = await runBenchmark(options);
    console.log(formatTables(results));
    console.log(formatTargetCheck(results));
    console.log(`\nresults: ${writeResults(results)}`);
  });

interface CliValues {
  workers: number[];
  clients: number;
  senders: number;
  rate: number;
  duration: number;
  size: number;
  mode: BenchMode;
  targets: TargetName[];
  generators: number;
  sampled: number;
  step: number;
  idleClients: number[];
  stormLimit: number;
  connectConcurrency: number;
  profile: string | undefined;
  quick: boolean;
}

function readOptions(): BenchOptions {
  const values = program.opts<CliValues>();
  // --quick shortens whatever was not given explicitly.
  const quick = <T>(name: keyof CliValues, value: T, quickValue: T): T =>
    values.quick && program.getOptionValueSource(name) === 'default' ? quickValue : value;
  return {
    workers: quick('workers', values.workers, [2]),
    clients: quick('clients', values.clients, 50),
    senders: quick('senders', values.senders, 5),
    rate: values.rate,
    durationS: quick('duration', values.duration, 1),
    size: values.size,
    mode: values.mode,
    targets: withoutMissingNats(values.targets),
    generators: values.generators,
    sampledPerGenerator: values.sampled,
    stepS: quick('step', values.step, 0.5),
    idleClients: quick('idleClients', values.idleClients, [500, 1000]),
    stormLimitS: quick('stormLimit', values.stormLimit, 5),
    connectConcurrency: values.connectConcurrency,
    profileDir: values.profile,
  };
}

/** The multi-host targets need nats-server; without it they are left out, with one line saying so. */
function withoutMissingNats(targets: TargetName[]): TargetName[] {
  const multiHost = (name: TargetName) => name.startsWith('clusterchat-2h');
  if (!targets.some(multiHost) || findNatsServer() !== undefined) return targets;
  console.error('bench: nats-server is not installed: the 2-host rows are left out (apt-get install nats-server)');
  return targets.filter((name) => !multiHost(name));
}

function validate(options: BenchOptions): void {
  if (options.senders > options.clients) throw new InvalidArgumentError('--senders must not exceed --clients');
  const perGenerator = Math.floor(options.clients / options.generators);
  if (Math.ceil(options.senders / options.generators) + options.sampledPerGenerator > perGenerator) {
    throw new InvalidArgumentError('each load generator needs room for its senders and --sampled clients');
  }
}

async function runBenchmark(options: BenchOptions): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  buildReferenceServers();
  const fleet = await LoadFleet.start(options.generators);
  const runs: TargetRun[] = [];
  const maxWorkers = Math.max(...options.workers);
  try {
    for (const workers of options.workers) {
      for (const name of options.targets) {
        const target = TARGETS[name];
        // The floor is one process whatever the worker count: measured once, at the first count.
        if (!target.clustered && runs.some((run) => run.target === name)) continue;
        const run: TargetRun = { target: name, workers: target.clustered ? workers : 1 };
        runs.push(run);
        const log = (line: string) => {
          console.error(`[${name} ×${run.workers}] ${line}`);
        };
        try {
          if (includesMode(options, 'fixed') || includesMode(options, 'ramp'))
            Object.assign(run, await runLoadModes(target, run.workers, fleet, options, log));
          // Idle costs minutes at 10 000 connections: measured at the largest worker count only.
          if (includesMode(options, 'idle') && target.idle && (workers === maxWorkers || !target.clustered)) {
            run.idle = await runIdleMode(target, target.clustered ? maxWorkers : 1, fleet, options, log);
          }
        } catch (error) {
          run.error = error instanceof Error ? error.message : String(error);
          log(`failed: ${run.error}`);
        }
      }
    }
  } finally {
    await fleet.stop();
  }
  return { startedAt, finishedAt: new Date().toISOString(), options, machine: machineInfo(), runs };
}

endChildrenOnExit();
program.parseAsync().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
