import test from 'ava';
import { parseServer } from '../../src/client/cli-options.js';
import { rotatingConnector } from '../../src/client/server-rotation.js';
import type { ClientTransport, Connector } from '../../src/client/transport.js';

function recordingConnector(address: string, log: string[]): Connector {
  return {
    address,
    connect: (): ClientTransport => {
      log.push(address);
      return { closed: false, send: () => {}, destroy: () => {} };
    },
  };
}

test('each connection attempt goes to the next server in turn, round and round', (t) => {
  const log: string[] = [];
  const connector = rotatingConnector(['a:1', 'b:2', 'c:3'].map((address) => recordingConnector(address, log)));
  const sink = { line: () => {}, closed: () => {} };
  for (let i = 0; i < 5; i++) {
    connector.connect(sink, { maxLineBytes: 100 });
    t.is(connector.address, log.at(-1) ?? '');
  }
  t.deepEqual(log, ['a:1', 'b:2', 'c:3', 'a:1', 'b:2']);
});

test('one server is used as it is; none is an error', (t) => {
  const only = recordingConnector('a:1', []);
  t.is(rotatingConnector([only]), only);
  t.throws(() => rotatingConnector([]), { instanceOf: RangeError });
});

test('--server takes host:port and [IPv6]:port, repeatedly, and refuses anything else', (t) => {
  const two = parseServer('[::1]:7001', parseServer('chat.example:7000'));
  t.deepEqual(two, [
    { host: 'chat.example', port: 7000 },
    { host: '::1', port: 7001 },
  ]);
  for (const bad of ['chat.example', ':7000', 'host:', 'host:70000', 'a b:1', '[::1]7000']) {
    t.throws(() => parseServer(bad), undefined, bad);
  }
});
