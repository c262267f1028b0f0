/** Received bytes to text, on the server: the one protocol step that needs Node's `Buffer`. */
import { isUtf8 } from 'node:buffer';
import { hasUnsafeCharacters } from './text.js';

export type DecodedLine = { ok: true; text: string } | { ok: false; code: 'BAD_ENCODING' | 'BAD_TEXT' };

/** Turns one received line into text, refusing invalid UTF-8 and unsafe characters (see text.ts). */
export function decodeLine(bytes: Buffer): DecodedLine {
  if (!isUtf8(bytes)) return { ok: false, code: 'BAD_ENCODING' };
  const text = bytes.toString('utf8');
  if (hasUnsafeCharacters(text)) return { ok: false, code: 'BAD_TEXT' };
  return { ok: true, text };
}
