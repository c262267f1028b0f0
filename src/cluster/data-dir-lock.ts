/**
 * One server per data dir: the primary holds `<data-dir>/clusterchat.lock`, created exclusively,
 * holding its pid. A second server on the same dir stops with one clear line instead of writing
 * into the first one's history. A lock whose process is gone (a kill -9, a crash, a power cut) is
 * stale and taken over, so PM2's restart after a kill -9 starts normally.
 *
 * "Gone" is judged by the pid, and on Linux also by the process's start time, recorded next to
 * the pid: after a reboot or in a restarted container a pid is soon reused (the new primary may
 * even get the old one's), and a live process with the right pid but another start time is not
 * the server that wrote the lock.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

export const LOCK_FILE = 'clusterchat.lock';

/** Another live server holds the data dir. */
export class DataDirInUseError extends Error {
  readonly pid: number;

  constructor(dir: string, pid: number) {
    super(`the data dir ${dir} is in use by another clusterchat (pid ${pid}); stop it, or choose another --data-dir`);
    this.name = 'DataDirInUseError';
    this.pid = pid;
  }
}

/** Creates the lock file holding `content`; one that cannot be written whole (a full disk) is removed again. */
async function create(lockPath: string, content: string): Promise<void> {
  const handle = await open(lockPath, 'wx');
  try {
    await handle.writeFile(content);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    throw error;
  }
  await handle.close();
}

export class DataDirLock {
  readonly path: string;
  #released = false;

  private constructor(lockPath: string) {
    this.path = lockPath;
  }

  /** Takes the lock of `dir` (which must exist), taking over a stale one; rejects with `DataDirInUseError`. */
  static async acquire(dir: string, log: (message: string) => void): Promise<DataDirLock> {
    const lockPath = path.join(dir, LOCK_FILE);
    const mine = describeProcess(process.pid);
    // Two rounds: a stale lock removed in the first, ours created in the second; a server that
    // starts at the same instant and wins the race makes the second round see it alive.
    for (let round = 0; round < 2; round++) {
      try {
        await create(lockPath, mine);
        return new DataDirLock(lockPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new Error(`cannot create the lock ${lockPath}: ${(error as Error).message}`, { cause: error });
        }
      }
      const holder = parseLock(await readFile(lockPath, 'utf8').catch(() => ''));
      if (holder !== undefined && isRunning(holder)) throw new DataDirInUseError(dir, holder.pid);
      log(
        `taking over the stale lock ${lockPath}${holder === undefined ? '' : ` of pid ${holder.pid}, which is gone`}`,
      );
      await unlink(lockPath).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      });
    }
    throw new Error(`cannot take the lock ${lockPath}: another server keeps creating it`);
  }

  /** Removes the lock; once. Synchronous, so a primary about to exit at once can call it too. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      unlinkSync(this.path);
    } catch {
      // Removed by hand meanwhile: nothing left to release.
    }
  }
}

interface Holder {
  pid: number;
  /** The process's start time in clock ticks after boot (Linux), if known. */
  started: string | undefined;
}

function describeProcess(pid: number): string {
  const started = procStat(pid)?.started;
  return started === undefined ? `${pid}\n` : `${pid} ${started}\n`;
}

function parseLock(text: string): Holder | undefined {
  const match = /^(\d+)(?: (\d+))?\n?$/.exec(text);
  if (match?.[1] === undefined) return undefined;
  return { pid: Number(match[1]), started: match[2] };
}

function isRunning(holder: Holder): boolean {
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: alive, but someone else's.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(holder.pid);
  if (stat === undefined) return true;
  // A zombie is a dead server its parent has not reaped yet (PM2, or a slow init).
  if (stat.state === 'Z') return false;
  return holder.started === undefined || stat.started === holder.started;
}

/** State and start time (fields 3 and 22) of /proc/<pid>/stat; undefined where there is no /proc. */
function procStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, started] = [fields[0], fields[19]];
    return state === undefined || started === undefined ? undefined : { state, started };
  } catch {
    return undefined;
  }
}
