/** One line per significant event, to stderr, with a level; `--log-level` sets the floor. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

type Write = (line: string) => void;

const toStderr: Write = (line) => process.stderr.write(line);

/** A logger writing `<time> [<level>] <source>: <message>` lines; `write` is replaceable for tests. */
export function createLogger(source: string, level: LogLevel, write: Write = toStderr): Logger {
  return levelled(level, (lineLevel, message) => {
    write(`${new Date().toISOString()} [${lineLevel}] ${source}: ${message}\n`);
  });
}

/**
 * A worker's logger. Processes that write to one stderr each stamp a line and then write it, and
 * the scheduler decides whose write comes first: during a shutdown, when all of them log at
 * once, the lines came out with their times out of order. So a worker hands its lines to the
 * primary (`forward`), which writes every process's lines itself, stamped as it writes them:
 * one writer, one order, times that never go back. A line `forward` cannot take (the primary is
 * gone) is written here, with this process's own time.
 */
export function forwardingLogger(
  source: string,
  level: LogLevel,
  forward: (level: LogLevel, text: string) => boolean,
  write: Write = toStderr,
): Logger {
  const direct = createLogger(source, level, write);
  return levelled(level, (lineLevel, message) => {
    if (!forward(lineLevel, message)) direct[lineLevel](message);
  });
}

/** A logger that passes the lines at or above `level` to `emit`. */
function levelled(level: LogLevel, emit: (lineLevel: LogLevel, message: string) => void): Logger {
  const floor = LOG_LEVELS.indexOf(level);
  const at = (lineLevel: LogLevel) =>
    LOG_LEVELS.indexOf(lineLevel) > floor
      ? () => {}
      : (message: string) => {
          emit(lineLevel, message);
        };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** A logger that drops everything, for code paths where nobody listens. */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** `1 connection`, `3 connections`: counts in log lines read as sentences. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
