/**
 * The README copies the `--help` of both programs; this keeps the copies true. When an option
 * changes, paste the new `node dist/primary.js --help` / `node dist/client.js --help` output there.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';

const ROOT = new URL('../../', import.meta.url);
const run = promisify(execFile);

for (const program of ['primary', 'client'] as const) {
  test(`the README shows the current --help of dist/${program}.js`, async (t) => {
    const { stdout } = await run(process.execPath, [fileURLToPath(new URL(`dist/${program}.js`, ROOT)), '--help'], {
      env: { ...process.env, COLUMNS: '80' },
    });
    const readme = await readFile(new URL('README.md', ROOT), 'utf8');
    t.true(readme.includes(`\`\`\`\n${stdout.trimEnd()}\n\`\`\``), `README.md lacks this block:\n${stdout}`);
  });
}
