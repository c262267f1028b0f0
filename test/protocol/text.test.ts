import test from 'ava';
import { utf8ByteLength } from '../../src/protocol/text.js';

test('utf8ByteLength agrees with Buffer.byteLength, lone surrogates included', (t) => {
  const samples = ['', 'hello', 'héllo', '€uro', '日本語', '😀 emoji', 'a\ud800b', '\udc00', 'x\ud83d', '\u07ff\u0800'];
  for (const text of samples) t.is(utf8ByteLength(text), Buffer.byteLength(text), JSON.stringify(text));
});
