/** Start-up progress: an ora spinner on a terminal, plain lines otherwise (logs, pipes, PM2). */
import ora from 'ora';

export interface Status {
  start(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

export function createStatus(stream: NodeJS.WriteStream = process.stdout): Status {
  if (stream.isTTY) {
    // ora's discardStdin puts the terminal in raw mode and expects stdin to be read; nothing reads
    // ours, so a Ctrl-C typed during the start was lost. Left cooked, it is a SIGINT, as always.
    const spinner = ora({ stream, discardStdin: false });
    return {
      start: (text) => void spinner.start(text),
      succeed: (text) => void spinner.succeed(text),
      fail: (text) => void spinner.fail(text),
    };
  }
  const line = (text: string) => void stream.write(`${text}\n`);
  return { start: line, succeed: line, fail: line };
}
