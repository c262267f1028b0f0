/**
 * Transpiles the two reference servers to plain JavaScript before a run, so they start like
 * clusterchat's built dist/ does: under tsx each of their processes would carry tsx's loader
 * (about 35 MiB of RSS apiece), which would distort every memory figure.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const BENCH_DIR = fileURLToPath(new URL('./', import.meta.url));
/** Inside bench/ (for node_modules resolution) and under the git-ignored results directory. */
export const REFERENCE_BUILD_DIR = `${BENCH_DIR}results/.reference-servers/`;
const SOURCES = ['net-floor-server.ts', 'socketio-server.ts', 'socketio-events.ts'];

export function buildReferenceServers(): void {
  mkdirSync(REFERENCE_BUILD_DIR, { recursive: true });
  for (const source of SOURCES) {
    const { outputText } = ts.transpileModule(readFileSync(`${BENCH_DIR}${source}`, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2023 },
      fileName: source,
    });
    writeFileSync(`${REFERENCE_BUILD_DIR}${source.replace(/\.ts$/, '.js')}`, outputText);
  }
}
