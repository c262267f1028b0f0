/** The web client's entry point (bundled to dist/browser/app.js): the page's elements and a WebSocket to /ws. */
import { webSocketConnector } from '../client/websocket-transport.js';
import { byId } from './dom.js';
import { WebChat } from './web-chat.js';

const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
new WebChat(
  {
    connection: byId('connection', HTMLElement),
    join: byId('join', HTMLFormElement),
    nick: byId('nick', HTMLInputElement),
    joinError: byId('join-error', HTMLElement),
    chat: byId('chat', HTMLElement),
    log: byId('log', HTMLElement),
    users: byId('users', HTMLElement),
    userCount: byId('user-count', HTMLElement),
    send: byId('send', HTMLFormElement),
    message: byId('message', HTMLInputElement),
  },
  webSocketConnector(`${scheme}//${location.host}/ws`, WebSocket),
);
