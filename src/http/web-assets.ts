/**
 * The web client's files, as `npm run build` leaves them in `dist/browser/`: read once when a
 * worker starts and served from memory, each with its type and an ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface WebAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** URL path → the file that answers it. */
const FILES: ReadonlyArray<[path: string, file: string, contentType: string]> = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
  ['/app.css', 'app.css', 'text/css; charset=utf-8'],
];

export const WEB_ASSETS_DIR = new URL('../browser/', import.meta.url);

export interface LoadedAssets {
  assets: ReadonlyMap<string, WebAsset>;
  /** Files that could not be read (the web client was not built). */
  missing: string[];
}

export function loadWebAssets(dir: URL = WEB_ASSETS_DIR): LoadedAssets {
  const assets = new Map<string, WebAsset>();
  const missing: string[] = [];
  for (const [path, file, contentType] of FILES) {
    let body: Buffer;
    try {
      body = readFileSync(new URL(file, dir));
    } catch {
      missing.push(file);
      continue;
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(path, { body, contentType, etag });
  }
  return { assets, missing };
}
