/** The client library's public surface (the console client, the tests and the bench use it). */
export { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { ChatClient } from './chat-client.js';
export { DEFAULT_CLIENT_OPTIONS, type ChatClientOptions, type ChatClientSettings } from './client-options.js';
export * from './errors.js';
export type * from './events.js';
export { tcpConnector, type TcpAddress } from './tcp-transport.js';
export type * from './transport.js';
export { webSocketConnector, type WebSocketClass, type WebSocketLike } from './websocket-transport.js';
