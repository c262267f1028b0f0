/** Which characters may travel in a line, and how untrusted text is made safe to show. Runs in browsers too. */

/*
 * Characters no line may carry, because they change how other users' screens show text:
 * - C0 controls except TAB, DEL, and C1 controls: nothing that could steer a terminal;
 * - bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the
 *   Arabic letter mark (U+061C): they reorder text, so a line reads differently from what it
 *   holds (the "Trojan Source" class);
 * - zero-width and invisible characters (U+200B–U+200F, U+FEFF) and the line and paragraph
 *   separators (U+2028, U+2029): they hide text, or break a line where none is shown.
 */
const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;
const UNSAFE_CHARACTERS_GLOBAL = new RegExp(UNSAFE_CHARACTERS.source, 'g');

/** Whether the text holds a control, bidirectional-control or invisible character. */
export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE_CHARACTERS.test(text);
}

/** Makes untrusted text safe to print: every unsafe character becomes U+FFFD. */
export function sanitize(text: string): string {
  return text.replace(UNSAFE_CHARACTERS_GLOBAL, '\ufffd');
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

/** `text` cut at its first space: the word before it, and everything after it ('' without a space). */
export function splitAtFirstSpace(text: string): [string, string] {
  const space = text.indexOf(' ');
  return space === -1 ? [text, ''] : [text.slice(0, space), text.slice(space + 1)];
}
