/**
 * A tiny terminal emulator for tests: interprets what readline and the prompt write (printable
 * text, CR, LF and the few CSI sequences they use) into a screen of rows and a cursor, so a test
 * can assert on what a user would see rather than on escape codes.
 */
import { Writable } from 'node:stream';

/** What follows `ESC [` in a CSI sequence: parameters and the command letter. */
const CSI_TAIL = /^([\d;]*)([A-Za-z])/;

export class VirtualTerminal extends Writable {
  readonly columns: number;
  rows: string[][] = [[]];
  row = 0;
  col = 0;

  constructor(columns = 80) {
    super({ decodeStrings: false });
    this.columns = columns;
  }

  /** The screen as text, trailing blanks trimmed. */
  get lines(): string[] {
    return this.rows.map((cells) => cells.join('').trimEnd());
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.#interpret(text);
    callback();
  }

  #interpret(text: string): void {
    let i = 0;
    while (i < text.length) {
      const char = text.charAt(i);
      if (char === '\x1b') {
        const match = text.startsWith('[', i + 1) ? CSI_TAIL.exec(text.slice(i + 2)) : null;
        if (match === null) throw new Error(`unsupported escape sequence: ${JSON.stringify(text.slice(i, i + 8))}`);
        const [sequence, parameters = '', command = ''] = match;
        this.#csi(parameters === '' ? undefined : Number(parameters.split(';')[0]), command);
        i += 2 + sequence.length;
        continue;
      }
      if (char === '\r') this.col = 0;
      else if (char === '\n') this.#lineFeed();
      else this.#put(char);
      i++;
    }
  }

  #csi(n: number | undefined, command: string): void {
    switch (command) {
      case 'A':
        this.row = Math.max(0, this.row - (n ?? 1));
        return;
      case 'B':
        this.row += n ?? 1;
        this.#ensureRow();
        return;
      case 'C':
        this.col = Math.min(this.columns - 1, this.col + (n ?? 1));
        return;
      case 'D':
        this.col = Math.max(0, this.col - (n ?? 1));
        return;
      case 'G':
        this.col = Math.max(0, (n ?? 1) - 1);
        return;
      case 'K':
        this.#clearInLine(n ?? 0);
        return;
      case 'J':
        if ((n ?? 0) !== 0) throw new Error(`unsupported CSI ${n}J`);
        this.#clearInLine(0);
        this.rows.length = this.row + 1;
        return;
      case 'm':
        return;
      default:
        throw new Error(`unsupported CSI ${command}`);
    }
  }

  #clearInLine(mode: number): void {
    const cells = this.#cursorRow();
    if (mode === 0) cells.length = Math.min(cells.length, this.col);
    else if (mode === 1) for (let c = 0; c <= this.col && c < cells.length; c++) cells[c] = ' ';
    else cells.length = 0;
  }

  #put(char: string): void {
    if (this.col >= this.columns) {
      this.#lineFeed();
    }
    const cells = this.#cursorRow();
    while (cells.length < this.col) cells.push(' ');
    cells[this.col] = char;
    this.col++;
  }

  #lineFeed(): void {
    this.row++;
    this.col = 0;
    this.#ensureRow();
  }

  #cursorRow(): string[] {
    const cells = this.rows[this.row];
    if (cells === undefined) throw new Error(`the cursor is on row ${this.row} of ${this.rows.length}`);
    return cells;
  }

  #ensureRow(): void {
    while (this.rows.length <= this.row) this.rows.push([]);
  }
}
