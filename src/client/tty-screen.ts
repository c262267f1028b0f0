/**
 * The console client on a terminal: an unclobbered prompt for input, an ora spinner while
 * (re)connecting, colors when allowed.
 */
import ora, { type Ora } from 'ora';
import { displayStatus } from './format.js';
import { PromptLine } from './prompt-line.js';
import type { InputHandlers, Screen } from './screen.js';
import type { Style } from './style.js';

export interface TtyScreenOptions {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  /** Where the spinner spins (stderr, so stdout carries only the chat). */
  spinnerOutput: NodeJS.WriteStream;
  style: Style;
  prompt: string;
}

export class TtyScreen implements Screen {
  readonly style: Style;
  readonly #options: TtyScreenOptions;
  #prompt: PromptLine | undefined;
  #spinner: Ora | undefined;

  constructor(options: TtyScreenOptions) {
    this.#options = options;
    this.style = options.style;
  }

  print(line: string): void {
    if (this.#spinner !== undefined) {
      this.#spinner.clear();
      this.#options.output.write(`${line}\n`);
      this.#spinner.render();
      return;
    }
    if (this.#prompt !== undefined) this.#prompt.print(line);
    else this.#options.output.write(`${line}\n`);
  }

  notice(text: string): void {
    this.print(displayStatus(text, this.style));
  }

  working(text: string): void {
    this.#prompt?.hide();
    const label = `${capitalize(text)}…`;
    if (this.#spinner === undefined) {
      this.#spinner = ora({
        text: label,
        stream: this.#options.spinnerOutput,
        color: this.style.enabled ? 'cyan' : false,
        // ora would otherwise take stdin over, and the prompt (Ctrl-C included) with it.
        discardStdin: false,
      }).start();
    } else {
      this.#spinner.text = label;
    }
  }

  done(text: string): void {
    if (this.#spinner === undefined) {
      this.print(this.style.dim(`* ${text}`));
      return;
    }
    this.#spinner.succeed(capitalize(text));
    this.#spinner = undefined;
    this.#prompt?.show();
  }

  stopWorking(): void {
    this.#spinner?.stop();
    this.#spinner = undefined;
    this.#prompt?.show();
  }

  readInput(handlers: InputHandlers): void {
    this.#prompt = new PromptLine(
      { input: this.#options.input, output: this.#options.output, prompt: this.#options.prompt },
      handlers,
    );
    if (this.#spinner === undefined) this.#prompt.show();
  }

  close(): void {
    this.#spinner?.stop();
    this.#spinner = undefined;
    this.#prompt?.close();
    this.#prompt = undefined;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
