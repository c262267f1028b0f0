/**
 * The console client on pipes (stdin is not a terminal): lines in, lines out, no prompt, no
 * spinner, no color. Progress is printed as status lines, so a script sees everything that happens.
 */
import readline from 'node:readline';
import { displayStatus } from './format.js';
import type { InputHandlers, Screen } from './screen.js';
import { createStyle, type Style } from './style.js';

export class PlainScreen implements Screen {
  readonly style: Style = createStyle(false);
  readonly #input: NodeJS.ReadableStream;
  readonly #output: NodeJS.WritableStream;
  readonly #errors: NodeJS.WritableStream;
  #rl: readline.Interface | undefined;

  constructor(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, errors: NodeJS.WritableStream) {
    this.#input = input;
    this.#output = output;
    this.#errors = errors;
  }

  print(line: string): void {
    this.#output.write(`${line}\n`);
  }

  notice(text: string): void {
    this.#errors.write(`clusterchat-client: ${text}\n`);
  }

  working(text: string): void {
    this.print(displayStatus(text, this.style));
  }

  done(text: string): void {
    this.print(displayStatus(text, this.style));
  }

  stopWorking(): void {}

  readInput(handlers: InputHandlers): void {
    this.#rl = readline.createInterface({ input: this.#input, terminal: false });
    this.#rl.on('line', (text: string) => {
      handlers.line(text);
    });
    this.#rl.on('close', () => {
      handlers.end();
    });
  }

  close(): void {
    const rl = this.#rl;
    this.#rl = undefined;
    rl?.removeAllListeners('close');
    rl?.close();
  }
}
