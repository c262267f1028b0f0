#!/usr/bin/env node
/**
 * `npm run demo`: the defense scenario, run and checked. Starts the server with 4 workers on a
 * free port and four console clients on pipes, scripts a conversation, kills a client and a
 * worker, and shuts the server down; prints one interleaved transcript and exits 0 only if every
 * step behaved. `--tmux` shows the same run in a tmux session, one pane per process.
 *
 * Whatever happens (a failed step, an exception, Ctrl-C), every process it started is killed.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { Cast, SERVER_NAME } from './cast.js';
import { DemoFailure } from './demo-failure.js';
import { HOST_NAMES, MultiHostScenario } from './multihost-scenario.js';
import { findNatsServer } from './nats-servers.js';
import { DefenseScenario } from './scenario.js';
import { tmuxAvailable, TmuxStage } from './tmux-stage.js';
import { FileSink, formatEntry, StreamSink, Transcript } from './transcript.js';

interface DemoOptions {
  tmux: boolean;
  multihost: boolean;
  transcript: string | undefined;
  timeout: number;
  pace: number | undefined;
  linger: number;
  session: string;
  attach: boolean;
  stopAfter: number | undefined;
}

const NICKS = ['alice', 'bob', 'carol', 'dave'] as const;
const WORKERS = 4;
/** Per host in the multi-host demo: two hosts of four workers would crowd a small machine. */
const HOST_WORKERS = 2;
/** A dead host is noticed within 15 s: its steps may take that much longer than the others. */
const HOST_LOSS_MS = 15_000;
const EXIT_FAILED = 1;
const EXIT_INTERRUPTED = 130;

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0)
    throw new InvalidArgumentError('must be a number of seconds, 0 or more');
  return seconds * 1000;
}

function parseStep(value: string): number {
  const step = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || step < 1) throw new InvalidArgumentError('must be a step number, 1 or more');
  return step;
}

function createProgram(): Command {
  return new Command('clusterchat-demo')
    .description('Run the defense scenario against the built server and client, checking every step.')
    .option('--tmux', 'show the run in a tmux session, one pane per process', false)
    .option('--multihost', 'the multi-host scenario: 3 NATS nodes, 2 hosts, a host killed (needs nats-server)', false)
    .option('--transcript <file>', 'also write the transcript to this file')
    .addOption(
      new Option('--timeout <seconds>', 'how long any expected line may take')
        .default(15_000, '15')
        .argParser(parseSeconds),
    )
    .addOption(
      new Option('--pace <seconds>', 'pause between steps (default: 0, with --tmux 2)').argParser(parseSeconds),
    )
    .addOption(
      new Option('--linger <seconds>', 'with --tmux: keep the session this long after the end')
        .default(20_000, '20')
        .argParser(parseSeconds),
    )
    .option('--session <name>', 'with --tmux: the tmux session name', 'clusterchat-demo')
    .option('--no-attach', 'with --tmux: do not put this terminal in the session, even on a TTY')
    .addOption(
      new Option(
        '--stop-after <step>',
        'run the first steps only, to look at that moment (the screenshot does)',
      ).argParser(parseStep),
    )
    .action(async (options: DemoOptions) => {
      process.exitCode = await runDemo(options);
    });
}

async function runDemo(options: DemoOptions): Promise<number> {
  if (options.tmux && !tmuxAvailable()) {
    process.stdout.write('demo: --tmux needs tmux, which is not installed here (apt-get install tmux); skipped.\n');
    process.stdout.write('demo: `npm run demo` runs the same scenario as one transcript without it.\n');
    return 0;
  }
  if (options.multihost && findNatsServer() === undefined) {
    process.stdout.write(
      'demo: --multihost needs nats-server, which is not installed here (apt-get install nats-server).\n',
    );
    return EXIT_FAILED;
  }
  const transcript = new Transcript();
  if (options.transcript !== undefined) transcript.addSink(new FileSink(options.transcript));
  const stage = options.tmux
    ? TmuxStage.open({
        session: options.session,
        actors: [...(options.multihost ? HOST_NAMES : [SERVER_NAME]), ...NICKS],
        width: 230,
        height: 66,
      })
    : undefined;
  const viewing = stage !== undefined && options.attach && process.stdout.isTTY && process.stdin.isTTY;
  // While this terminal shows the tmux session, the transcript waits and is printed afterwards.
  if (!viewing) transcript.addSink(new StreamSink(process.stdout));
  if (stage !== undefined) {
    transcript.addSink(stage);
    if (!viewing)
      process.stdout.write(`demo: tmux session ${stage.session}; watch it with: tmux attach -t ${stage.session}\n`);
  }
  const viewer = viewing ? stage.attach() : undefined;

  const cast = new Cast(transcript);
  const cleanUp = () => {
    cast.killAll();
    stage?.close();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    transcript.fail(`interrupted by ${signal}; ending every process the demo started`);
    cleanUp();
    process.exit(EXIT_INTERRUPTED);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanUp);

  const paceMs = options.pace ?? (stage === undefined ? 0 : 2_000);
  const scenario = options.multihost
    ? new MultiHostScenario({
        cast,
        transcript,
        timeoutMs: options.timeout + HOST_LOSS_MS,
        paceMs,
        workers: HOST_WORKERS,
        nicks: NICKS,
      })
    : new DefenseScenario({
        cast,
        transcript,
        timeoutMs: options.timeout,
        paceMs,
        workers: WORKERS,
        adminToken: 'demo-operator-token',
        nicks: NICKS,
      });
  let code = 0;
  try {
    const ran = await scenario.run(options.stopAfter);
    transcript.pass(
      `demo passed: ${ran === scenario.steps.length ? 'every step' : `the first ${ran} steps`} behaved as expected`,
    );
  } catch (error) {
    code = EXIT_FAILED;
    reportFailure(transcript, error);
  } finally {
    cast.killAll();
  }
  if (stage !== undefined) {
    const closing = `the tmux session closes in ${options.linger / 1000} s`;
    if (viewing) transcript.remark(`${closing} (Ctrl-b d leaves it now)`);
    else process.stdout.write(`demo: ${closing}\n`);
    await Promise.race([
      new Promise((resolve) => setTimeout(resolve, options.linger)),
      viewer ?? new Promise(() => {}),
    ]);
    stage.close();
    if (viewing) for (const entry of transcript.entries) process.stdout.write(`${formatEntry(entry)}\n`);
  }
  return code;
}

function reportFailure(transcript: Transcript, error: unknown): void {
  if (error instanceof DemoFailure) {
    transcript.fail(`demo failed: ${error.message}`);
    if (error.evidence.length > 0) transcript.remark('the last lines instead:');
    for (const line of error.evidence) transcript.remark(`  ${line}`);
    return;
  }
  transcript.fail(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

await createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_FAILED;
  });
