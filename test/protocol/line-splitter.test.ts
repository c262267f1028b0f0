import test from 'ava';
import { LineSplitter } from '../../src/protocol/line-splitter.js';

function split(max: number, chunks: Array<string | Buffer>): string[] {
  const out: string[] = [];
  const splitter = new LineSplitter(max, {
    line: (bytes) => out.push(bytes.toString('latin1')),
    tooLong: () => out.push('<TOO_LONG>'),
  });
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  return out;
}

test('splits lines on LF and drops a CR before it', (t) => {
  t.deepEqual(split(100, ['a\nb\r\nc\n']), ['a', 'b', 'c']);
});

test('reports empty lines as empty (the session counts them as activity)', (t) => {
  t.deepEqual(split(100, ['\n\r\n\na\n\n']), ['', '', '', 'a', '']);
});

test('joins a line split across chunks, byte by byte', (t) => {
  t.deepEqual(split(100, Array.from('hello world\r\n')), ['hello world']);
});

test('holds an unfinished line until its LF arrives', (t) => {
  t.deepEqual(split(100, ['abc']), []);
  t.deepEqual(split(100, ['abc', 'def\n']), ['abcdef']);
});

test('accepts a line of exactly the limit, with or without CR', (t) => {
  const line = 'x'.repeat(8);
  t.deepEqual(split(8, [`${line}\n`, `${line}\r\n`]), [line, line]);
  t.deepEqual(split(8, [line, '\r', '\n']), [line]);
});

test('reports a line one byte over the limit once, and keeps going', (t) => {
  t.deepEqual(split(8, ['x'.repeat(9) + '\nok\n']), ['<TOO_LONG>', 'ok']);
  t.deepEqual(split(8, ['x'.repeat(9), '\nok\n']), ['<TOO_LONG>', 'ok']);
});

test('discards a huge line up to its LF without buffering it', (t) => {
  const out: string[] = [];
  let maxBuffered = 0;
  const splitter = new LineSplitter(16, {
    line: (bytes) => out.push(bytes.toString()),
    tooLong: () => out.push('<TOO_LONG>'),
  });
  const chunk = Buffer.alloc(64 * 1024, 'y');
  for (let i = 0; i < 16; i++) {
    splitter.push(chunk);
    maxBuffered = Math.max(maxBuffered, splitter.bufferedBytes);
  }
  splitter.push(Buffer.from('tail\nnext\n'));
  t.deepEqual(out, ['<TOO_LONG>', 'next']);
  t.true(maxBuffered <= 17);
});

test('a CR alone in the middle is kept (it is not a terminator)', (t) => {
  t.deepEqual(split(100, ['a\rb\n']), ['a\rb']);
});
