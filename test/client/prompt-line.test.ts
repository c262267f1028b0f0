import { PassThrough } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import { PromptLine } from '../../src/client/prompt-line.js';
import { waitUntil } from '../../src/processes.js';
import { VirtualTerminal } from './helpers/virtual-terminal.js';

const LEFT = '\x1b[D';

function setup(t: ExecutionContext, columns = 80) {
  const input = new PassThrough();
  const terminal = new VirtualTerminal(columns);
  const submitted: string[] = [];
  let interrupts = 0;
  const prompt = new PromptLine(
    { input, output: terminal, prompt: '> ' },
    { line: (text) => submitted.push(text), interrupt: () => interrupts++, end: () => {} },
  );
  t.teardown(() => {
    prompt.close();
  });
  const type = async (keys: string, expected: { line: string; cursor?: number }) => {
    input.write(keys);
    await waitUntil(
      () =>
        prompt.input.line === expected.line &&
        (expected.cursor === undefined || prompt.input.cursor === expected.cursor),
      `input ${JSON.stringify(expected.line)}`,
    );
  };
  return { input, terminal, prompt, submitted, type, interrupts: () => interrupts };
}

const WRAPPED = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A prompt on a 20-column terminal (after `printedFirst`, if given) holding an input that wraps onto a second row. */
async function wrappedInput(t: ExecutionContext, printedFirst?: string) {
  const harness = setup(t, 20);
  if (printedFirst !== undefined) harness.prompt.print(printedFirst);
  harness.prompt.show();
  await harness.type(WRAPPED, { line: WRAPPED });
  return harness;
}

test('a line arriving while the user types is printed above the prompt and the half-typed input is redrawn intact', async (t) => {
  const { terminal, prompt, type } = setup(t);
  prompt.show();
  await type('hello wor', { line: 'hello wor' });
  await type(LEFT + LEFT, { line: 'hello wor', cursor: 7 });

  prompt.print('[12:00:00] <bob> hi there');

  t.deepEqual(terminal.lines, ['[12:00:00] <bob> hi there', '> hello wor']);
  t.is(terminal.row, 1);
  t.is(terminal.col, '> hello w'.length, 'the cursor is back where the user left it');
  await type('X', { line: 'hello wXor' });
  t.is(terminal.lines[1], '> hello wXor', 'typing continues at the cursor');
});

test('many incoming lines scroll above the prompt, which stays last', async (t) => {
  const { terminal, prompt, type } = setup(t);
  prompt.show();
  await type('draft', { line: 'draft' });
  for (let i = 1; i <= 5; i++) prompt.print(`line ${i}`);
  t.deepEqual(terminal.lines, ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', '> draft']);
});

test('an input that wraps over several rows is cleared whole before a line is printed', async (t) => {
  const { terminal, prompt } = await wrappedInput(t);
  prompt.print('incoming');
  t.is(terminal.lines[0], 'incoming');
  t.is(terminal.lines.slice(1).join(''), `> ${WRAPPED}`, 'the wrapped input is redrawn once, below the line');
});

test('a submitted line is handed over and erased from the screen (the server echoes it)', async (t) => {
  const { terminal, prompt, submitted, type } = setup(t);
  prompt.print('earlier');
  prompt.show();
  await type('hello', { line: 'hello' });
  await type('\r', { line: '' });
  t.deepEqual(submitted, ['hello']);
  t.deepEqual(terminal.lines, ['earlier', '>']);
});

test('while hidden, typing is not echoed but kept, and show() redraws it', async (t) => {
  const { terminal, prompt, type } = setup(t);
  prompt.show();
  await type('ab', { line: 'ab' });
  prompt.hide();
  t.deepEqual(terminal.lines, ['']);
  await type('cd', { line: 'abcd' });
  t.deepEqual(terminal.lines, [''], 'nothing echoed while hidden');
  prompt.show();
  t.deepEqual(terminal.lines, ['> abcd']);
});

test('Ctrl-C is reported as an interrupt', async (t) => {
  const { input, prompt, interrupts } = setup(t);
  prompt.show();
  input.write('\x03');
  await waitUntil(() => interrupts() === 1, 'the interrupt');
  t.is(interrupts(), 1);
});

test('lines printed while the cursor is on a wrapped row of the input all stay on screen', async (t) => {
  const { terminal, prompt } = await wrappedInput(t, 'before');
  t.is(prompt.input.cursor, WRAPPED.length, 'the cursor is on the second row of the input');
  for (let i = 1; i <= 3; i++) prompt.print(`incoming ${i}`);
  t.deepEqual(terminal.lines.slice(0, 4), ['before', 'incoming 1', 'incoming 2', 'incoming 3']);
  t.is(terminal.lines.slice(4).join(''), `> ${WRAPPED}`, 'the wrapped input is redrawn once, below the lines');
});

test('showing again a wrapped input hidden with the cursor on its second row keeps the lines printed meanwhile', async (t) => {
  const { terminal, prompt } = await wrappedInput(t);
  prompt.print('before');
  prompt.hide();
  prompt.print('replayed');
  terminal.write('✔ Reconnected\n');
  prompt.show();
  t.deepEqual(terminal.lines.slice(0, 3), ['before', 'replayed', '✔ Reconnected']);
  t.is(terminal.lines.slice(3).join(''), `> ${WRAPPED}`);
});
