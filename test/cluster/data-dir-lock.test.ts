/** The data-dir lock on its own, with real files and real processes. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { DataDirInUseError, DataDirLock, LOCK_FILE } from '../../src/cluster/data-dir-lock.js';

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'clusterchat-lock-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A process that stays alive until the test ends. */
async function liveProcess(t: ExecutionContext): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  return child.pid ?? 0;
}

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid ?? 0;
}

test('creates the lock with its pid, and removes it on release', async (t) => {
  const dir = tempDir(t);
  const lock = await DataDirLock.acquire(dir, () => {});
  t.regex(readFileSync(join(dir, LOCK_FILE), 'utf8'), new RegExp(`^${process.pid}( \\d+)?\\n$`));
  lock.release();
  t.false(existsSync(join(dir, LOCK_FILE)));
});

test('a lock held by a live process is refused, naming the pid, and left as it is', async (t) => {
  const dir = tempDir(t);
  const pid = await liveProcess(t);
  writeFileSync(join(dir, LOCK_FILE), `${pid}\n`);
  const error = await t.throwsAsync(
    DataDirLock.acquire(dir, () => {}),
    { instanceOf: DataDirInUseError },
  );
  t.is(
    error.message,
    `the data dir ${dir} is in use by another clusterchat (pid ${pid}); stop it, or choose another --data-dir`,
  );
  t.is(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${pid}\n`);
});

test('a lock whose process is gone is stale: taken over, and said so', async (t) => {
  const dir = tempDir(t);
  const pid = await deadPid();
  writeFileSync(join(dir, LOCK_FILE), `${pid}\n`);
  const said: string[] = [];
  const lock = await DataDirLock.acquire(dir, (message) => said.push(message));
  t.teardown(() => {
    lock.release();
  });
  t.regex(readFileSync(join(dir, LOCK_FILE), 'utf8'), new RegExp(`^${process.pid}`));
  t.deepEqual(said, [`taking over the stale lock ${join(dir, LOCK_FILE)} of pid ${pid}, which is gone`]);
});

const withProc = existsSync('/proc/self/stat');
if (!withProc) console.log('skipping the start-time test of the data-dir lock: no /proc here');

(withProc ? test : test.skip)(
  'a live pid with another start time is a reused pid, not the server: the lock is stale',
  async (t) => {
    const dir = tempDir(t);
    const pid = await liveProcess(t);
    writeFileSync(join(dir, LOCK_FILE), `${pid} 1\n`);
    const lock = await DataDirLock.acquire(dir, () => {});
    t.teardown(() => {
      lock.release();
    });
    t.regex(readFileSync(join(dir, LOCK_FILE), 'utf8'), new RegExp(`^${process.pid}`));
  },
);

test('an unreadable lock (garbage, empty) is stale', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, LOCK_FILE), 'not a pid');
  const lock = await DataDirLock.acquire(dir, () => {});
  t.teardown(() => {
    lock.release();
  });
  t.regex(readFileSync(join(dir, LOCK_FILE), 'utf8'), new RegExp(`^${process.pid}`));
});
