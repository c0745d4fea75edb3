/** [KIT-MEDIAERR] A camera or connection failure becomes a stable code the apps word (media-errors.ts). */
import { describe, expect, it } from 'vitest';
import { mediaFailureOf } from '../src/media-errors.ts';

const domError = (name: string) => Object.assign(new Error('Permission denied by system'), { name });

describe('[KIT-MEDIAERR] media failures', () => {
  it('[KIT-MEDIAERR-1] the browser errors of getUserMedia map to what the delegate can do about them', () => {
    expect(mediaFailureOf(domError('NotAllowedError'))).toBe('denied');
    expect(mediaFailureOf(domError('NotFoundError'))).toBe('noDevice');
    expect(mediaFailureOf(domError('OverconstrainedError'))).toBe('noDevice');
    expect(mediaFailureOf(domError('NotReadableError'))).toBe('busy');
    expect(mediaFailureOf(domError('SecurityError'))).toBe('insecure');
    expect(mediaFailureOf(domError('NotSupportedError'))).toBe('unsupported');
  });

  it('[KIT-MEDIAERR-2] anything else is a network failure, unless the page has no media devices at all (not HTTPS)', () => {
    expect(mediaFailureOf(new TypeError('Failed to fetch'), true)).toBe('network');
    expect(mediaFailureOf('boom', true)).toBe('network');
    expect(mediaFailureOf(null, true)).toBe('network');
    expect(mediaFailureOf(new TypeError("Cannot read properties of undefined (reading 'getUserMedia')"), false)).toBe('insecure');
  });
});
