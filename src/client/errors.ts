/**
 * Every error the client library rejects a command or a connection with. Each has a stable
 * `code`: the server's own code for `ServerReplyError`, one of the client's codes otherwise.
 */
import { ERROR_TEXT, isErrorCode } from '../protocol/error-codes.js';

export class ChatClientError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The server answered `ERROR <code> <text>`: nothing changed on the server. */
export class ServerReplyError extends ChatClientError {
  /** The server's human readable text (may be empty). */
  readonly text: string;

  constructor(code: string, text: string) {
    super(code, text === '' ? defaultText(code) : text);
    this.text = text;
  }
}

/** The connection dropped after the command was sent and before its reply: it may or may not have taken effect. */
export class ConnectionLostError extends ChatClientError {
  constructor(verb: string) {
    super('CONNECTION_LOST', `connection lost before the reply to ${verb}; it may or may not have taken effect`);
  }
}

/** Disconnected, and the queue of commands waiting for the reconnect is full: this one was dropped. */
export class QueueFullError extends ChatClientError {
  constructor(limit: number) {
    super('QUEUE_FULL', `not connected and ${limit} commands already queued; dropped`);
  }
}

/** The client was closed (quit, kicked, gave up reconnecting) before the command could be sent. */
export class ClientClosedError extends ChatClientError {
  constructor(reason: string) {
    super('CLOSED', `client closed: ${reason}`);
  }
}

/** Every connection attempt failed. */
export class ConnectFailedError extends ChatClientError {
  readonly attempts: number;

  constructor(address: string, attempts: number, cause: Error | undefined) {
    const why = cause === undefined ? 'no reason given' : describeError(cause);
    super(
      'CONNECT_FAILED',
      `cannot connect to ${address}: ${why} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
      { cause },
    );
    this.attempts = attempts;
  }
}

/** The command cannot be put on the wire as it is (control characters, too long, bad nick). */
export class InvalidCommandError extends ChatClientError {}

function defaultText(code: string): string {
  return isErrorCode(code) ? ERROR_TEXT[code] : code.toLowerCase().replaceAll('_', ' ');
}

const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
};

/** A socket error as a few plain words (`connection refused`), or its message when it is not a known one. */
export function describeError(cause: Error): string {
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && SYSTEM_ERRORS[code] !== undefined) return SYSTEM_ERRORS[code];
  return cause.message;
}
