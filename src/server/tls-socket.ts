/**
 * TLS on the chat port. The primary keeps accepting raw TCP and handing sockets over (it never
 * decrypts anything); each worker wraps the socket it is handed in a server-side `TLSSocket`
 * with a secure context made once from the certificate and key the primary read at start. The
 * HTTP port can serve https/wss with the same two functions: wrap the handed socket, then give
 * the `TLSSocket` to the HTTP server (`server.emit('connection', tlsSocket)`).
 */
import type net from 'node:net';
import tls from 'node:tls';

/** PEM text of the certificate (chain) and its private key, as read by the primary. */
export interface TlsCredentials {
  cert: string;
  key: string;
}

/** Throws when the certificate or the key is not valid PEM, or they do not belong together. */
export function createServerContext(credentials: TlsCredentials): tls.SecureContext {
  return tls.createSecureContext({ cert: credentials.cert, key: credentials.key });
}

/**
 * The server side of TLS over an accepted socket. A client that never completes the handshake
 * holds its slot only until the registration timeout closes it.
 */
export function secureServerSocket(socket: net.Socket, context: tls.SecureContext): tls.TLSSocket {
  return new tls.TLSSocket(socket, { isServer: true, secureContext: context });
}
