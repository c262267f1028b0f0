/**
 * `node --import=tsx bench/profile-summary.ts <file.cpuprofile>…`: the top self-time functions
 * of V8 CPU profiles (as written by `npm run bench -- --profile <dir>`), one table per file.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const TOP = Number(process.env.TOP ?? 25);

function isCpuProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && 'nodes' in value && 'samples' in value && 'timeDeltas' in value;
}

function summarize(path: string): string {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isCpuProfile(parsed)) return `${path}: not a V8 CPU profile`;
  const nameOf = new Map<number, string>();
  for (const node of parsed.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file =
      url === '' ? '' : ` ${url.replace(/^file:\/\/.*?\/(node_modules|dist|bench)\//, '$1/')}:${lineNumber + 1}`;
    nameOf.set(node.id, `${functionName || '(anonymous)'}${file}`);
  }
  const selfMicros = new Map<string, number>();
  let totalMicros = 0;
  parsed.samples.forEach((nodeId, i) => {
    const delta = parsed.timeDeltas[i] ?? 0;
    const name = nameOf.get(nodeId) ?? '?';
    selfMicros.set(name, (selfMicros.get(name) ?? 0) + delta);
    totalMicros += delta;
  });
  const busyMicros = totalMicros - (selfMicros.get('(idle)') ?? 0);
  const rows = [...selfMicros]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(
      ([name, micros]) =>
        `${(micros / 1000).toFixed(1).padStart(9)} ms ${((micros / busyMicros) * 100).toFixed(1).padStart(5)} %  ${name}`,
    );
  return [
    `== ${basename(path)}: ${(busyMicros / 1000).toFixed(0)} ms busy of ${(totalMicros / 1000).toFixed(0)} ms`,
    ...rows,
  ].join('\n');
}

for (const path of process.argv.slice(2)) console.log(`${summarize(path)}\n`);
