/**
 * socketArgs: the answer callback is found wherever a client put it (last), so every event is answered.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { socketArgs } from '../../src/protocol/socket.ts';

describe('socketArgs', () => {
  it('[SOCKARGS-1] the callback is the last argument; the payload is the first; more than one payload is `extra`', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), fc.boolean(), (given, withCallback) => {
        const answers: unknown[] = [];
        const callback = (answer: unknown) => answers.push(answer);
        const parsed = socketArgs<string>(withCallback ? [...given, callback] : given);
        expect(parsed.payload).toEqual(given[0]);
        expect(parsed.extra).toBe(given.length > 1);
        expect(parsed.wantsAnswer).toBe(withCallback);
        parsed.reply('answer');
        expect(answers).toEqual(withCallback ? ['answer'] : []);
      }),
      { numRuns: 300 },
    );
  });

  it('[SOCKARGS-2] a callback alone is not taken for the payload', () => {
    const callback = () => undefined;
    expect(socketArgs([callback])).toMatchObject({ payload: undefined, extra: false, wantsAnswer: true });
  });
});
