/** Asks for a nick on the terminal until a valid one is typed; undefined if the input ends, Ctrl-C, or `signal` aborts. */
import readline from 'node:readline/promises';
import { isValidNick, NICK_RULE } from '../protocol/index.js';

export async function askNick(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const rl = readline.createInterface({ input, output, terminal: true });
  const ended = new Promise<undefined>((resolve) =>
    rl.once('close', () => {
      resolve(undefined);
    }),
  );
  rl.on('SIGINT', () => {
    // The shell's prompt comes next: it starts on a line of its own, not after the half-typed nick.
    output.write('\n');
    rl.close();
  });
  try {
    for (;;) {
      const question = rl.question('nick: ', signal === undefined ? {} : { signal });
      const answer = await Promise.race([question.catch(() => undefined), ended]);
      if (answer === undefined) return undefined;
      const nick = answer.trim();
      if (isValidNick(nick)) return nick;
      output.write(`a nick is ${NICK_RULE}\n`);
    }
  } finally {
    rl.close();
  }
}
