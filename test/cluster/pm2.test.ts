/**
 * The server under PM2, started from the repository's ecosystem.config.js with a PM2 home of its
 * own: PM2 brings a killed primary back, and the history is still there.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { ChatUser, freePort, parseWelcome, seqOf, seqsOnDisk, type Welcome } from '../helpers/chat-stream.js';
import { waitUntil } from '../../src/processes.js';
import { LineClient } from '../helpers/line-client.js';
import { defined } from '../helpers/defined.js';
import { killQuietly } from '../../src/processes.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PM2 = join(REPO, 'node_modules', '.bin', 'pm2');
const APP = 'clusterchat';
const execFileAsync = promisify(execFile);

interface Pm2Process {
  name: string;
  pid: number;
  pm2_env: { status: string; restart_time: number };
}

function tempDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** The greeting of a new connection, or undefined if nobody serves the port yet. */
async function greeting(port: number): Promise<Welcome | undefined> {
  const client = new LineClient(net.connect({ port, host: '127.0.0.1' }));
  try {
    return parseWelcome(await client.next(2_000));
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

test('under PM2 (ecosystem.config.js) a primary killed with SIGKILL is brought back and serves the history it had', async (t) => {
  const pm2Home = tempDir(t, 'clusterchat-pm2-');
  const dataDir = tempDir(t, 'clusterchat-pm2-data-');
  const port = await freePort();
  const env = {
    ...process.env,
    PM2_HOME: pm2Home,
    CHAT_PORT: String(port),
    CHAT_HTTP_PORT: String(await freePort()),
    CHAT_WORKERS: '2',
    CHAT_DATA_DIR: dataDir,
    CHAT_LOG_LEVEL: 'info',
  };
  const pm2 = async (...args: string[]) => (await execFileAsync(PM2, args, { cwd: REPO, env, timeout: 30_000 })).stdout;
  const app = async (): Promise<Pm2Process | undefined> => {
    const list = await pm2('jlist');
    return (JSON.parse(list.slice(list.indexOf('['))) as Pm2Process[]).find((entry) => entry.name === APP);
  };

  const primaryPids = new Set<number>();
  // Registered after the temp dirs, so it runs before they are removed: PM2's daemon and every
  // process it started go, even when the test failed half-way.
  t.teardown(async () => {
    await pm2('kill').catch(() => undefined);
    const daemonPid = Number(readFileOr(join(pm2Home, 'pm2.pid'), '0'));
    const logged = readFileOr(join(pm2Home, 'logs', `${APP}-error.log`), '');
    const workerPids = [...logged.matchAll(/listening \(pid (\d+)\)/g)].map((match) => Number(match[1]));
    for (const pid of [daemonPid, ...primaryPids, ...workerPids]) if (pid > 0) killQuietly(pid);
  });

  await pm2('start', join(REPO, 'ecosystem.config.js'));
  const first = defined(await app(), 'the app in PM2');
  t.is(first.pm2_env.status, 'online');
  primaryPids.add(first.pid);
  await waitUntil(async () => (await greeting(port)) !== undefined, `the server on port ${port}`, 15_000);

  const alice = await ChatUser.join(t, port, 'alice');
  let last = 0;
  for (let i = 0; i < 3; i++) last = await alice.say(`before the crash ${i}`);
  // A crash keeps only what was written: wait for the batch to reach the file.
  await waitUntil(() => seqsOnDisk(dataDir).includes(last), `seq ${last} on disk`);

  process.kill(first.pid, 'SIGKILL');
  await alice.client.closedByPeer();
  let second: Pm2Process | undefined;
  await waitUntil(
    async () => {
      second = await app();
      return second !== undefined && second.pid !== first.pid && second.pid > 0 && second.pm2_env.status === 'online';
    },
    'PM2 to restart the primary',
    20_000,
  );
  const restarted = defined(second, 'the restarted app in PM2');
  primaryPids.add(restarted.pid);
  t.true(restarted.pm2_env.restart_time >= 1);

  let greeted: Welcome | undefined;
  await waitUntil(async () => (greeted = await greeting(port)) !== undefined, 'the restarted server to greet', 15_000);
  const welcome = defined(greeted, 'a WELCOME');
  t.is(welcome.lastSeq, last);
  t.is(welcome.epoch, alice.welcome.epoch);
  const reader = new LineClient(net.connect({ port, host: '127.0.0.1' }));
  t.teardown(() => {
    reader.close();
  });
  await reader.next();
  t.regex(await reader.command('HISTORY 3'), /^OK 3$/);
  alice.record();
  t.deepEqual(
    reader.lines.filter((line) => seqOf(line) !== undefined),
    [...alice.stream.values()].slice(-3),
  );
});

function readFileOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
