#!/usr/bin/env node
/**
 * The console client: `node dist/client.js [--host H] [--port P] [--nick N] …`.
 *
 * On a terminal: a prompt that incoming lines never clobber, an ora spinner while (re)connecting,
 * colors (unless --no-color or NO_COLOR). When stdin is not a terminal (a script, the demo):
 * lines are read from stdin and everything is printed as plain lines on stdout, one per event:
 *
 *   [HH:MM:SS] <bob> hello                   a public message (local time of the event)
 *   [HH:MM:SS] --> bob joined                a join
 *   [HH:MM:SS] <-- bob left (quit: bye)      a leave, with its reason
 *   [HH:MM:SS] * bob is now known as rob     a nick change (NICK), one line for its LEAVE and JOIN
 *   [HH:MM:SS] !!! text                      an operator announcement
 *   [HH:MM:SS] *bob* text                    a private message from bob
 *   [HH:MM:SS] -> *bob* text                 a private message you sent to bob (once the server said OK)
 *   * connecting to 127.0.0.1:7000           status lines start with "* ":
 *   * connected to worker 3 as alice
 *   * disconnected: <reason>                 e.g. the server's BYE reason, "connection reset"
 *   * reconnecting in 0.4s (attempt 1/5)
 *   * reconnected to worker 2 as alice
 *   * replayed 4 events
 *   * 3 events no longer retained (seq 42-44)
 *   * history was reset (new epoch k3x9q): old seqs are void; replayed 20 events
 *   * 2 users: alice bob                     the reply to /users
 *   * history: last 5 events                 before the events /history replays ("no events" if none)
 *   * end of history                         after them
 *   * quit                                   the last line after a clean quit
 *   ! disconnected for good: <reason>        the last line when kicked or when reconnecting gave up
 *   ! nick is taken (NICK_TAKEN)             errors start with "! "; a server error ends with its code
 *
 * Exit codes: 0 after a clean quit (/quit, end of input, Ctrl-C); 1 when it cannot connect after
 * --retries attempts, is refused its nick, is kicked, or gives up reconnecting; commander's usage
 * errors exit 1 too. Fatal errors are one line on stderr, and so is the one notice that input is
 * paced below the server's rate limit.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { askNick } from './client/ask-nick.js';
import { ChatClient } from './client/chat-client.js';
import { parseServerPort } from './cli/parsers.js';
import { readVersion } from './cli/version.js';
import {
  parseHost,
  parseNick,
  parseRetries,
  parseServer,
  parseToken,
  type ClientCliOptions,
} from './client/cli-options.js';
import { ConsoleSession, EXIT_FAILURE } from './client/console-session.js';
import { ServerReplyError } from './client/errors.js';
import { PlainScreen } from './client/plain-screen.js';
import type { Screen } from './client/screen.js';
import { createStyle, shouldUseColor } from './client/style.js';
import { rotatingConnector } from './client/server-rotation.js';
import { tcpConnector } from './client/tcp-transport.js';
import { TtyScreen } from './client/tty-screen.js';
import { sanitize } from './protocol/index.js';

const PROGRAM = 'clusterchat-client';

function createProgram(): Command {
  return new Command(PROGRAM)
    .description('Console client for the clusterchat server (protocol chat/1).')
    .version(readVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--host <host>', 'server host').env('CHAT_HOST').default('127.0.0.1').argParser(parseHost))
    .addOption(new Option('--port <port>', 'server port').env('CHAT_PORT').default(7000).argParser(parseServerPort))
    .addOption(
      new Option(
        '--server <host:port>',
        'a host of the chat, instead of --host/--port; repeat it for several hosts: a lost connection tries them in turn',
      ).argParser(parseServer),
    )
    .addOption(
      new Option('--nick <nick>', 'your nick (on a terminal: asked for when missing or taken)').argParser(parseNick),
    )
    .addOption(new Option('--admin-token <token>', 'become an operator after connecting (AUTH)').argParser(parseToken))
    .option('--no-color', 'no colors (NO_COLOR is honoured too)')
    .addOption(
      new Option('--retries <n>', 'connection attempts before giving up (also per reconnect)')
        .default(5)
        .argParser(parseRetries),
    )
    .option('--tls', 'connect with TLS (the server runs with --tls-cert)')
    .option('--ca <file>', "PEM certificate of a private CA that signed the server's (implies --tls)")
    .action(async (options: ClientCliOptions) => {
      process.exitCode = await runClient(options);
    });
}

async function runClient(options: ClientCliOptions): Promise<number> {
  const interactive = process.stdin.isTTY && process.stdout.isTTY;
  if (options.nick === undefined && !interactive) throw new Error('--nick is required when stdin is not a terminal');
  const servers = options.server ?? [{ host: options.host, port: options.port }];
  const tls = clientTls(options);
  const connector = rotatingConnector(servers.map((server) => tcpConnector({ ...server, tls })));
  const client = new ChatClient({ connector, nick: options.nick, retries: options.retries });
  const screen: Screen = interactive
    ? new TtyScreen({
        input: process.stdin,
        output: process.stdout,
        spinnerOutput: process.stderr,
        style: createStyle(shouldUseColor({ flag: options.color, isTTY: true, env: process.env })),
        prompt: '> ',
      })
    : new PlainScreen(process.stdin, process.stdout, process.stderr);
  // On a terminal the nick is asked for once the server is there, and again if it is refused;
  // on pipes a refusal is final (exit code 1), as a script expects.
  const ask = interactive ? (signal: AbortSignal) => askNick(process.stdin, process.stdout, signal) : undefined;
  return new ConsoleSession({ client, screen, adminToken: options.adminToken, askNick: ask }).run();
}

function clientTls(options: ClientCliOptions): { ca?: string } | undefined {
  if (options.ca === undefined) return options.tls === true ? {} : undefined;
  try {
    return { ca: readFileSync(options.ca, 'utf8') };
  } catch (error) {
    throw new Error(`cannot read --ca ${options.ca}: ${(error as Error).message}`, { cause: error });
  }
}

/** Where every error ends: one readable line on stderr, exit code 1. */
function handleError(error: unknown): void {
  const text = sanitize(error instanceof Error ? error.message : String(error));
  const message = error instanceof ServerReplyError ? `${text} (${sanitize(error.code)})` : text;
  process.stderr.write(`${PROGRAM}: ${message}\n`);
  process.exitCode = EXIT_FAILURE;
}

await createProgram().parseAsync(process.argv).catch(handleError);
