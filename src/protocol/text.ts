import { isUtf8 } from 'node:buffer';

/** C0 controls except TAB, DEL, and C1 controls: nothing that could steer a terminal. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
const CONTROL_CHARACTERS_GLOBAL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

export type DecodedLine = { ok: true; text: string } | { ok: false; code: 'BAD_ENCODING' | 'BAD_TEXT' };

/** Turns one received line into text, refusing invalid UTF-8 and control characters. */
export function decodeLine(bytes: Buffer): DecodedLine {
  if (!isUtf8(bytes)) return { ok: false, code: 'BAD_ENCODING' };
  const text = bytes.toString('utf8');
  if (CONTROL_CHARACTERS.test(text)) return { ok: false, code: 'BAD_TEXT' };
  return { ok: true, text };
}

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** Makes untrusted text safe to print: every control character becomes U+FFFD. */
export function sanitize(text: string): string {
  return text.replace(CONTROL_CHARACTERS_GLOBAL, '\ufffd');
}
