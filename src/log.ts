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

/** A logger writing `<time> [<level>] <source>: <message>` lines; `write` is replaceable for tests. */
export function createLogger(
  source: string,
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const floor = LOG_LEVELS.indexOf(level);
  const at = (lineLevel: LogLevel) =>
    LOG_LEVELS.indexOf(lineLevel) > floor
      ? () => {}
      : (message: string) => {
          write(`${new Date().toISOString()} [${lineLevel}] ${source}: ${message}\n`);
        };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** A logger that drops everything, for code paths where nobody listens. */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** `1 connection`, `3 connections`: counts in log lines read as sentences. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
