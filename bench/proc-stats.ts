/**
 * What /proc says about processes, for the benchmark and the tests: what a server process tree
 * costs (CPU time, utime + stime of every process under the root, the root included, and resident
 * memory of each), and whether a process still runs and whose child it is. Linux only.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times (`getconf CLK_TCK`, nearly always 100). */
export const CLOCK_TICKS_PER_SECOND = readClockTicks();

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

interface ProcStat {
  pid: number;
  parentPid: number;
  /** One letter: `R`, `S`, `T`, `Z`… */
  state: string;
  userTicks: number;
  systemTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone between listing and reading
  }
  // The command name (field 2) may hold spaces and parentheses; everything after its last ')' is fixed.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return {
    pid,
    parentPid: Number(fields[1]),
    state: fields[0] ?? '',
    userTicks: Number(fields[11]),
    systemTicks: Number(fields[12]),
  };
}

/** Every process listed in /proc now. */
function* allStats(): Generator<ProcStat> {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined) yield stat;
  }
}

/** The one-letter state of a process (`R`, `S`, `T`, `Z`…), or undefined once it is gone. */
export function processState(pid: number): string | undefined {
  return readStat(pid)?.state;
}

/**
 * Whether a process has ended. A zombie counts as ended: it holds no memory, socket or port,
 * and once its parent is gone, reaping it is up to whatever init the machine runs.
 */
export function processEnded(pid: number): boolean {
  const state = processState(pid);
  return state === undefined || state === 'Z';
}

/** The pids of the live processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return [...allStats()].filter((stat) => stat.parentPid === pid && stat.state !== 'Z').map((stat) => stat.pid);
}

/** The root and all its descendants that are alive now. */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const stat of allStats()) {
    const siblings = children.get(stat.parentPid) ?? [];
    siblings.push(stat.pid);
    children.set(stat.parentPid, siblings);
  }
  const tree: number[] = [];
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

export interface TreeSample {
  /** CPU µs (user + system) per pid since each process started. */
  cpuMicros: Map<number, number>;
  /** The system (kernel) part of it: on loopback mostly socket syscalls. */
  systemMicros: Map<number, number>;
  /** VmRSS in KiB per pid. */
  rssKib: Map<number, number>;
}

export function sampleTree(rootPid: number): TreeSample {
  const sample: TreeSample = { cpuMicros: new Map(), systemMicros: new Map(), rssKib: new Map() };
  for (const pid of processTree(rootPid)) {
    const stat = readStat(pid);
    const rss = memoryOf(pid, 'VmRSS');
    if (stat === undefined || rss === undefined) continue;
    sample.cpuMicros.set(pid, ((stat.userTicks + stat.systemTicks) * 1e6) / CLOCK_TICKS_PER_SECOND);
    sample.systemMicros.set(pid, (stat.systemTicks * 1e6) / CLOCK_TICKS_PER_SECOND);
    sample.rssKib.set(pid, rss / 1024);
  }
  return sample;
}

/** A `VmRSS`-like field of /proc/<pid>/status in bytes (`VmHWM` is the peak); undefined once the process is gone. */
export function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]) * 1024;
}

/** CPU µs each process of the tree spent between two samples; one that started in between counts from 0. */
export function cpuMicrosBetween(
  before: TreeSample,
  after: TreeSample,
  part: 'cpuMicros' | 'systemMicros' = 'cpuMicros',
): Map<number, number> {
  const spent = new Map<number, number>();
  for (const [pid, micros] of after[part]) spent.set(pid, micros - (before[part].get(pid) ?? 0));
  return spent;
}

export function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

export function totalRssKib(sample: TreeSample): number {
  return sum(sample.rssKib.values());
}
