/** Which characters may travel in a line, and how untrusted text is made safe to show. Runs in browsers too. */

/** C0 controls except TAB, DEL, and C1 controls: nothing that could steer a terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- the same set, to replace every one
const CONTROL_CHARACTERS_GLOBAL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** Makes untrusted text safe to print: every control character becomes U+FFFD. */
export function sanitize(text: string): string {
  return text.replace(CONTROL_CHARACTERS_GLOBAL, '\ufffd');
}

/** The length of `text` in UTF-8, counted without encoding it (a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
