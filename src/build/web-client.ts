/**
 * The last step of `npm run build`: bundles the web client (`src/browser/`, TypeScript for the
 * browser) with esbuild into `dist/browser/` — `app.js`, `app.css` and `index.html`, the three
 * files a worker serves. `platform: 'browser'` makes a Node import in the client code fail the
 * build, as the type check before it does.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = new URL('../../', import.meta.url);
const source = (path: string) => fileURLToPath(new URL(`src/browser/${path}`, root));
const output = (path: string) => fileURLToPath(new URL(`dist/browser/${path}`, root));

await mkdir(output(''), { recursive: true });
const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning' } as const;
await build({
  ...common,
  entryPoints: [source('main.ts')],
  outfile: output('app.js'),
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
});
await build({ ...common, entryPoints: [source('style.css')], outfile: output('app.css') });
await copyFile(source('index.html'), output('index.html'));
