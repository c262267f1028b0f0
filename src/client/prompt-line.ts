/**
 * An input line at the bottom of the terminal that incoming text never clobbers: a line to print
 * goes above the prompt, and the half-typed input is redrawn intact, cursor position included.
 *
 * readline does the editing. While the prompt is hidden (a spinner owns the line during a
 * reconnect) its echo is muted, but keys are still read: typing goes on, Enter still submits, and
 * Ctrl-C still interrupts; showing the prompt again redraws whatever was typed meanwhile.
 */
import readline from 'node:readline';
import { Writable } from 'node:stream';

export interface PromptLineOptions {
  input: NodeJS.ReadableStream;
  /** The terminal; `columns` is read from it for line editing. */
  output: NodeJS.WritableStream & { columns?: number };
  prompt: string;
}

export interface PromptLineHandlers {
  line(text: string): void;
  interrupt(): void;
  /** The input ended (Ctrl-D on an empty line). */
  end(): void;
}

/** Forwards readline's writes to the terminal unless muted. */
class MutableOutput extends Writable {
  muted = false;
  readonly #target: NodeJS.WritableStream & { columns?: number };

  constructor(target: NodeJS.WritableStream & { columns?: number }) {
    super();
    this.#target = target;
  }

  get columns(): number | undefined {
    return this.#target.columns;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.muted) this.#target.write(chunk);
    callback();
  }
}

export class PromptLine {
  readonly #output: NodeJS.WritableStream;
  readonly #echo: MutableOutput;
  readonly #rl: readline.Interface;
  #visible = false;
  #closed = false;

  constructor(options: PromptLineOptions, handlers: PromptLineHandlers) {
    this.#output = options.output;
    this.#echo = new MutableOutput(options.output);
    this.#rl = readline.createInterface({
      input: options.input,
      output: this.#echo,
      terminal: true,
      prompt: options.prompt,
    });
    this.#rl.on('line', (text: string) => {
      // The sent line comes back from the server with its time; the typed copy would double it.
      if (this.#visible) this.#eraseSubmitted(options.prompt, text);
      handlers.line(text);
      if (this.#visible) this.#rl.prompt();
    });
    this.#rl.on('SIGINT', () => {
      handlers.interrupt();
    });
    this.#rl.on('close', () => {
      if (this.#closed) return;
      this.#closed = true;
      handlers.end();
    });
  }

  /** What has been typed so far, and where the cursor is in it. */
  get input(): { line: string; cursor: number } {
    return { line: this.#rl.line, cursor: this.#rl.cursor };
  }

  show(): void {
    if (this.#closed) return;
    // Hidden, it was cleared and the cursor was left at the start of a fresh line.
    if (!this.#visible) this.#makeRoomForRedraw();
    this.#visible = true;
    this.#echo.muted = false;
    this.#rl.prompt(true);
  }

  /** Clears the prompt line and mutes the echo until `show()`. */
  hide(): void {
    if (this.#closed || !this.#visible) return;
    this.#visible = false;
    this.#clearLine();
    this.#echo.muted = true;
  }

  /** Prints `text` (one or more lines) above the prompt, then redraws the prompt and the input. */
  print(text: string): void {
    if (!this.#visible || this.#closed) {
      this.#output.write(`${text}\n`);
      return;
    }
    this.#clearLine();
    this.#output.write(`${text}\n`);
    this.#makeRoomForRedraw();
    this.#rl.prompt(true);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#visible) this.#clearLine();
    this.#visible = false;
    this.#rl.close();
  }

  /** Moves to the start of the prompt (it may span rows when the input wraps) and clears from there down. */
  #clearLine(): void {
    readline.moveCursor(this.#output, 0, -this.#rl.getCursorPos().rows);
    readline.cursorTo(this.#output, 0);
    readline.clearScreenDown(this.#output);
  }

  /**
   * readline redraws the input by first moving up as many rows as it believes the cursor sits
   * below the prompt's first row (its `prevRows`, which it does not always update when typing
   * wraps): from the start of a fresh line that climb would erase the lines printed just above.
   * Blank rows to climb instead, which the redraw then clears.
   */
  #makeRoomForRedraw(): void {
    const { prevRows } = this.#rl as unknown as { prevRows?: number };
    if (prevRows !== undefined && prevRows > 0) this.#output.write('\n'.repeat(prevRows));
  }

  #eraseSubmitted(prompt: string, text: string): void {
    const columns = this.#echo.columns ?? Number.POSITIVE_INFINITY;
    const rows = Math.max(1, Math.ceil((prompt.length + text.length) / columns));
    readline.moveCursor(this.#output, 0, -rows);
    readline.cursorTo(this.#output, 0);
    readline.clearScreenDown(this.#output);
  }
}
