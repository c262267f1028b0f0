/** Asks for a nick on the terminal until a valid one is typed; undefined if the input ends first. */
import readline from 'node:readline/promises';
import { isValidNick } from '../protocol/index.js';

export async function askNick(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<string | undefined> {
  const rl = readline.createInterface({ input, output, terminal: true });
  const ended = new Promise<undefined>((resolve) =>
    rl.once('close', () => {
      resolve(undefined);
    }),
  );
  rl.on('SIGINT', () => {
    rl.close();
  });
  try {
    for (;;) {
      const answer = await Promise.race([rl.question('nick: '), ended]);
      if (answer === undefined) return undefined;
      const nick = answer.trim();
      if (isValidNick(nick)) return nick;
      output.write('a nick is 1-24 of A-Z a-z 0-9 _ -\n');
    }
  } finally {
    rl.close();
  }
}
