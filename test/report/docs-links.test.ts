/**
 * The documents stand on their own: every relative link in the README and docs/ points to a file
 * of the repository, and the protocol document names no file outside it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const ROOT = new URL('../../', import.meta.url);
const DOCUMENTS = ['README.md', 'docs/PROTOCOL.md', 'docs/ARCHITECTURE.md', 'bench/README.md'];

for (const document of DOCUMENTS) {
  test(`every relative link in ${document} points into the repository`, async (t) => {
    const base = new URL(document, ROOT);
    const text = await readFile(base, 'utf8');
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
    const relative = targets.filter((target) => !/^([a-z]+:|#)/.test(target));
    const broken = relative.filter((target) => {
      const path = fileURLToPath(new URL(target.split('#')[0] ?? '', base));
      return !existsSync(path) || !path.startsWith(fileURLToPath(ROOT));
    });
    t.deepEqual(broken, []);
  });
}

test('docs/PROTOCOL.md is the whole protocol: it sends the reader to no contract outside the repository', async (t) => {
  const text = await readFile(new URL('docs/PROTOCOL.md', ROOT), 'utf8');
  t.notRegex(text, /shared\/|\.\.\/\.\.\//);
});
