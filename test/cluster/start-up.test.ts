/**
 * The primary's start-up and its errors, with the real program: the port is bound before
 * anything else, a data dir is held by one server at a time, the worker count is bounded, and a
 * Ctrl-C or SIGTERM during the start, at any step of it, stops it at once.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { childrenOf, processEnded } from '../../bench/proc-stats.js';
import { waitUntil } from '../../src/processes.js';
import { registered } from '../helpers/line-client.js';
import { failedStart, launchServer, PRIMARY_PATH, startServer, type TestServer } from '../helpers/server.js';
import { fillDisk, tinyDisk, tmpfsTest } from '../helpers/tmpfs.js';
import { runOnTerminal, terminalAvailable } from '../client/helpers/terminal-process.js';

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'clusterchat-start-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function exitOf(server: TestServer): Promise<number | null> {
  if (server.process.exitCode === null && server.process.signalCode === null) await once(server.process, 'close');
  return server.process.exitCode;
}

test('a port in use: one line naming it and what to do, exit code 1, no data dir touched, no worker forked', async (t) => {
  const running = await startServer(t, { workers: 1 });
  const dataDir = join(tempDir(t), 'not-created');
  const second = launchServer(t, { workers: 2, port: running.port, dataDir });
  t.is(await exitOf(second), 1);
  t.is(
    second.stderr,
    `clusterchat: port ${running.port} on 127.0.0.1 is already in use (another clusterchat?); choose another with --port <n>, or --port 0 for a free one\n`,
  );
  t.is(second.stdout, '', 'not even "starting"');
  t.false(existsSync(dataDir), 'the data dir was not created');
  t.is(running.process.exitCode, null, 'the running server is untouched');
  const { client } = await registered(t, running.port, 'alice');
  t.is(await client.command('USERS'), 'OK 1 alice');
});

test('a data dir held by a running server is refused in one line; the lock holds its pid and goes with a clean stop', async (t) => {
  const dataDir = tempDir(t);
  const running = await startServer(t, { workers: 1, dataDir });
  const lockPath = join(dataDir, 'clusterchat.lock');
  t.regex(readFileSync(lockPath, 'utf8'), new RegExp(`^${running.process.pid} `));

  const second = launchServer(t, { workers: 1, dataDir });
  t.is(await exitOf(second), 1);
  t.is(
    second.stderr,
    `clusterchat: the data dir ${dataDir} is in use by another clusterchat (pid ${running.process.pid}); stop it, or choose another --data-dir\n`,
  );
  t.is(second.stdout, '');

  t.is(await running.stop(), 0);
  t.false(existsSync(lockPath), 'a clean stop removes the lock');
});

test('a stale lock (its server killed) is taken over, with a warning', async (t) => {
  const dataDir = tempDir(t);
  const lockPath = join(dataDir, 'clusterchat.lock');
  const killed = await startServer(t, { workers: 1, dataDir });
  const killedPid = killed.process.pid ?? 0;
  killed.process.kill('SIGKILL');
  await once(killed.process, 'close');
  t.true(existsSync(lockPath), 'a kill -9 leaves the lock behind');

  const restarted = await startServer(t, { workers: 1, dataDir });
  t.regex(restarted.stderr, new RegExp(`taking over the stale lock ${lockPath} of pid ${killedPid}, which is gone`));
  t.regex(readFileSync(lockPath, 'utf8'), new RegExp(`^${restarted.process.pid} `));
});

tmpfsTest(
  'a data dir on a full disk: one line naming the lock it cannot create, exit code 1, no empty lock left',
  async (t) => {
    const dataDir = tinyDisk(t, '64k');
    fillDisk(dataDir);
    const server = launchServer(t, { workers: 1, dataDir });
    t.is(await exitOf(server), 1);
    const lockPath = join(dataDir, 'clusterchat.lock');
    t.is(server.stderr, `clusterchat: cannot create the lock ${lockPath}: ENOSPC: no space left on device, write\n`);
    t.false(existsSync(lockPath), 'no empty lock for the next start to take over');
  },
);

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`${signal} while the start waits for the chat's state (a NATS server that never answers) ends it at once with ${code}`, async (t) => {
    const silent = createServer((socket) => {
      sockets.add(socket);
    });
    const sockets = new Set<Socket>();
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    t.teardown(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });
    const { port } = silent.address() as AddressInfo;
    const server = launchServer(t, { workers: 1, args: ['--nats', `nats://127.0.0.1:${port}`] });
    await server.waitFor(/starting 1 workers/);
    await waitUntil(() => sockets.size > 0, 'the primary to connect to the silent NATS server');
    server.process.kill(signal);
    t.is(await exitOf(server), code);
    t.regex(server.stdout, /interrupted while starting\n$/);
    t.regex(server.stderr, new RegExp(`${signal}: interrupted while starting`));
  });
}

(terminalAvailable() ? test : test.skip)(
  'Ctrl-C typed on a terminal while the spinner says "starting" stops it too: it says it was interrupted, exit code 130',
  async (t) => {
    const server = runOnTerminal(t, ['--workers', '32', '--port', '0', '--no-http', '--no-persist'], PRIMARY_PATH);
    await server.shows(/starting 32 workers/);
    server.type('\u0003');
    t.regex(await server.shows(/interrupted while starting|listening on/), /interrupted/);
    t.is(await server.exited, 130);
  },
);

test('--workers above 64 is refused with the bound, before anything starts', async (t) => {
  const { code, stdout, stderr } = await failedStart(['--workers', '1000']);
  t.is(code, 1);
  t.is(stdout, '');
  t.regex(
    stderr,
    /^error: option .* argument '1000' is invalid\. must be a whole number from 1 to 64, or auto \(one per CPU: \d+ here\)\n$/,
  );
});

test('Ctrl-C during the start stops it at once: every worker forked so far is ended, and it says it was interrupted', async (t) => {
  const server = launchServer(t, { workers: 16 });
  await server.waitFor(/starting 16 workers/);
  await waitUntil(() => childrenOf(server.process.pid ?? 0).length > 0, 'a first worker to be forked');
  const forked = new Set<number>();
  const primaryPid = server.process.pid ?? 0;
  server.process.kill('SIGINT');
  // Whatever it forks until it reads the signal counts too.
  for (const pid of childrenOf(primaryPid)) forked.add(pid);
  t.is(await exitOf(server), 130);
  t.regex(server.stdout, /interrupted while starting\n$/);
  t.regex(server.stderr, /SIGINT: interrupted while starting/);
  t.notRegex(server.output, /listening on/);
  await waitUntil(() => [...forked].every(processEnded), `workers ${[...forked].join(', ')} to be gone`, 2_000);
  t.deepEqual(childrenOf(primaryPid), []);
});
