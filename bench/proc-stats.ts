/**
 * What a server process tree costs, read from /proc: CPU time (utime + stime of every process
 * under the root, the root included) and resident memory of each. Linux only.
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
  return { pid, parentPid: Number(fields[1]), userTicks: Number(fields[11]), systemTicks: Number(fields[12]) };
}

/** The root and all its descendants that are alive now. */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === undefined) continue;
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
    const rss = readRssKib(pid);
    if (stat === undefined || rss === undefined) continue;
    sample.cpuMicros.set(pid, ((stat.userTicks + stat.systemTicks) * 1e6) / CLOCK_TICKS_PER_SECOND);
    sample.systemMicros.set(pid, (stat.systemTicks * 1e6) / CLOCK_TICKS_PER_SECOND);
    sample.rssKib.set(pid, rss);
  }
  return sample;
}

function readRssKib(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
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
