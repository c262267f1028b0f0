/**
 * The primary binds the chat port before anything else: before the data dir is opened and before
 * a worker is forked. A port taken by another server is then one clear line and nothing else,
 * rather than a server half started on top of the running one's history.
 */
import type net from 'node:net';

/** The port could not be bound; the message is the one line the user sees. */
class ListenError extends Error {
  override readonly name = 'ListenError';
}

/**
 * Listens on `host:port`; rejects with a `ListenError` that says what to do instead, naming
 * `option`, the one that chose the port.
 */
export function listen(server: net.Server, host: string, port: number, option: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(new ListenError(explain(error, host, port, option), { cause: error }));
    };
    server.once('error', onError);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function explain(error: NodeJS.ErrnoException, host: string, port: number, option: string): string {
  const other = `choose another with ${option} <n>, or ${option} 0 for a free one`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (another clusterchat?); ${other}`;
    case 'EACCES':
      return `no permission to listen on port ${port} of ${host} (ports below 1024 need privileges); ${other}`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine; listen on one of its own, or on every one with --host 0.0.0.0`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host ${host} to listen on; give an address (--host 127.0.0.1, --host 0.0.0.0)`;
    default:
      return `cannot listen on ${host}:${port}: ${error.message}`;
  }
}
