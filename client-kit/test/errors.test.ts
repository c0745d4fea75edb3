/** [KIT-ERR] The kit's errors (errors.ts): words for every code, and one reading of a failed HTTP answer. */
import { errorMessages } from '@hall/core';
import { describe, expect, it } from 'vitest';
import { HallError, httpFailure, kitErrorMessages, messageFor, type HallErrorCode } from '../src/errors.ts';

describe('[KIT-ERR] error words and HTTP failures', () => {
  it('[KIT-ERR-1] messageFor: core’s and the kit’s words, INTERNAL’s for an unknown code, Object.prototype’s names included', () => {
    expect(messageFor('NOT_FOUND')).toBe(errorMessages.NOT_FOUND.vi);
    expect(messageFor('NOT_FOUND', 'en')).toBe(errorMessages.NOT_FOUND.en);
    expect(messageFor('THROTTLED')).toBe(kitErrorMessages.THROTTLED.vi);
    for (const unknown of ['SOMETHING_NEW', 'toString', 'constructor', '__proto__', 'hasOwnProperty', '']) {
      expect(messageFor(unknown as HallErrorCode), unknown).toBe(errorMessages.INTERNAL.vi);
      expect(messageFor(unknown as HallErrorCode, 'en'), unknown).toBe(errorMessages.INTERNAL.en);
    }
  });

  it('[KIT-ERR-2] httpFailure: 401 is UNAUTHENTICATED, the server’s code and words when sent, else by status', () => {
    const e = httpFailure(409, { code: 'REJECTED', message: 'Đã có biểu quyết đang mở' });
    expect(e).toBeInstanceOf(HallError);
    expect(e).toMatchObject({ code: 'REJECTED', message: 'Đã có biểu quyết đang mở', status: 409 });
    expect(httpFailure(401, { code: 'FORBIDDEN' })).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(httpFailure(404, null)).toMatchObject({ code: 'NOT_FOUND', message: errorMessages.NOT_FOUND.vi });
    expect(httpFailure(403, null)).toMatchObject({ code: 'FORBIDDEN', message: errorMessages.FORBIDDEN.vi });
    expect(httpFailure(502, null)).toMatchObject({ code: 'INTERNAL', message: errorMessages.INTERNAL.vi, status: 502 });
    // Whatever a proxy or a newer server sends, the kit does not crash and the words are never empty or a function's.
    expect(httpFailure(500, { code: 'toString', message: 42 })).toMatchObject({ code: 'toString', message: errorMessages.INTERNAL.vi });
    expect(httpFailure(200, { code: 7 })).toMatchObject({ code: 'INTERNAL' });
  });
});
