import { AsbParseError } from '@asbkit/asb-format';
import { describe, expect, it } from 'vitest';
import { deserializeError, serializeError, WorkerStarter } from './threads.js';

describe('errors across threads', () => {
  it('keeps a parse error its kind, file, line and column', () => {
    const err = new AsbParseError('Invalid bytes label "x"', 'a.asb', 13, 3);
    const back = deserializeError(structuredClone(serializeError(err)));
    expect(back).toBeInstanceOf(AsbParseError);
    expect(back.message).toBe(err.message);
    expect(back).toMatchObject({ file: 'a.asb', line: 13, column: 3, detail: err.detail });
  });

  it('keeps other errors their name, message and code', () => {
    const err = Object.assign(new RangeError('too big'), { code: 'BIG' });
    const back = deserializeError(structuredClone(serializeError(err)));
    expect([back.name, back.message, (back as { code?: string }).code]).toEqual([
      'RangeError',
      'too big',
      'BIG',
    ]);
    expect(serializeError('plain text')).toEqual({ name: 'Error', message: 'plain text', code: undefined });
  });
});

describe('WorkerStarter', () => {
  it('hands over the worker it started ahead, then starts new ones', async () => {
    const url = new URL(
      'data:text/javascript,import{parentPort}from"node:worker_threads";parentPort.on("message",(m)=>parentPort.postMessage(m*2))',
    );
    const starter = new WorkerStarter(url);
    starter.start();
    const first = starter.take();
    const second = starter.take();
    expect(second).not.toBe(first);
    for (const [w, n] of [
      [first, 2],
      [second, 5],
    ] as const) {
      const answer = new Promise((resolve) => w.once('message', resolve));
      w.postMessage(n);
      expect(await answer).toBe(n * 2);
    }
    await Promise.all([first.terminate(), second.terminate()]);
  });
});
