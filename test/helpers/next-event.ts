/** `events.once` for the client library's typed emitter: the arguments of the client's next `name` event. */
import type { ChatSession } from '../../src/client/chat-session.js';
import type { ChatClientEvents } from '../../src/client/events.js';

export function nextEvent<K extends keyof ChatClientEvents>(
  client: ChatSession,
  name: K,
): Promise<ChatClientEvents[K]> {
  return new Promise((resolve) => {
    client.once(name, (...args) => {
      resolve(args);
    });
  });
}
