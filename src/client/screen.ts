/** Where the console client shows things and reads input: a terminal (`TtyScreen`) or pipes (`PlainScreen`). */
import type { Style } from './style.js';

export interface InputHandlers {
  line(text: string): void;
  /** Ctrl-C, where the screen catches it itself (a terminal in raw mode turns it into a key). */
  interrupt(): void;
  /** No more input (EOF). */
  end(): void;
}

export interface Screen {
  readonly style: Style;
  /** Prints one finished line (already formatted). */
  print(line: string): void;
  /** A word about the client itself, not the chat (stderr on pipes, so the chat on stdout stays clean). */
  notice(text: string): void;
  /** Something is in progress: a spinner on a terminal, a status line otherwise. */
  working(text: string): void;
  /** The thing in progress is done. */
  done(text: string): void;
  /** The thing in progress stopped without a result worth a line (the error is printed elsewhere). */
  stopWorking(): void;
  /** Starts reading input; may be called once. */
  readInput(handlers: InputHandlers): void;
  /** Stops reading input and leaves the terminal as it was. */
  close(): void;
}
