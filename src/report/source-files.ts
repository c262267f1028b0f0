/** The project's source files, for the report's listing: every file under a directory, sorted by path. */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

export interface SourceFile {
  /** Relative to the project root, with `/` separators: `src/hub/hub.ts`. */
  path: string;
  text: string;
  /** The code fence's language: `ts`, `js`, `json`, … */
  language: string;
}

/** Every file below `dir` (recursively), its path relative to `root`; sorted by path, code point order. */
export async function readSourceFiles(root: string, dir: string): Promise<SourceFile[]> {
  const paths: string[] = [];
  await collect(join(root, dir), paths);
  const files = await Promise.all(
    paths.map(async (absolute) => ({
      path: relative(root, absolute).split(sep).join('/'),
      text: await readFile(absolute, 'utf8'),
      language: extname(absolute).slice(1),
    })),
  );
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function collect(dir: string, into: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await collect(path, into);
    else if (entry.isFile()) into.push(path);
  }
}

/** A code fence longer than any run of backticks in `text`, so a listing can never end early. */
export function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}
