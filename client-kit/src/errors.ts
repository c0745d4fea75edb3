/**
 * Errors the kit throws (login, join). `code` is what a program branches on; `message` is for people and is
 * Vietnamese: the server's own words when it sent some, otherwise core's `errorMessages`.
 */
import { errorMessages, type ErrorCode } from '@hall/core';

/** Login failures the auth routes report besides the protocol's error codes. */
export type LoginFailureCode = 'AUTH_FAILED' | 'THROTTLED' | 'DISABLED';
/** `NETWORK`: the server could not be reached at all (no answer, not an error answer). */
export type HallErrorCode = ErrorCode | LoginFailureCode | 'NETWORK';

/** Words for the codes core has no message for (core's `errorMessages` covers every `ErrorCode`). */
export const kitErrorMessages: Record<LoginFailureCode | 'NETWORK', { vi: string; en: string }> = {
  AUTH_FAILED: { vi: 'Thông tin đăng nhập không đúng', en: 'The sign-in details are not correct' },
  THROTTLED: { vi: 'Đăng nhập sai quá nhiều lần, vui lòng thử lại sau', en: 'Too many failed sign-ins, try again later' },
  DISABLED: { vi: 'Tài khoản đã bị khóa, vui lòng liên hệ quản trị viên', en: 'The account is disabled, contact the administrator' },
  NETWORK: { vi: 'Không kết nối được máy chủ, vui lòng kiểm tra mạng và thử lại', en: 'Cannot reach the server, check the network and try again' },
};

/**
 * Words for a code, INTERNAL's for one neither list knows (a newer server's code): own keys only, since a code
 * arrives from the wire and 'toString' or 'constructor' must not find Object.prototype's members.
 */
export function messageFor(code: HallErrorCode, lang: 'vi' | 'en' = 'vi'): string {
  const words = Object.hasOwn(errorMessages, code)
    ? errorMessages[code as ErrorCode]
    : Object.hasOwn(kitErrorMessages, code)
      ? kitErrorMessages[code as LoginFailureCode | 'NETWORK']
      : errorMessages.INTERNAL;
  return words[lang];
}

export class HallError extends Error {
  override readonly name = 'HallError';
  constructor(
    readonly code: HallErrorCode,
    message: string = messageFor(code),
    /** HTTP status, when the error came from an HTTP answer. */
    readonly status?: number,
    /** For THROTTLED: seconds until another attempt is allowed. */
    readonly retryAfterSec?: number,
  ) {
    super(message);
  }
}

/**
 * The error of a failed HTTP answer (`body`: its JSON, null when it was none): 401 is always UNAUTHENTICATED;
 * otherwise the server's code, or for a bare 404/403 (a proxy's page) NOT_FOUND/FORBIDDEN, else INTERNAL; the
 * server's own (Vietnamese) message when it sent one, else the code's.
 */
export function httpFailure(status: number, body: { code?: unknown; message?: unknown } | null): HallError {
  const sent = typeof body?.code === 'string' ? body.code : null;
  const code = (status === 401 ? 'UNAUTHENTICATED' : (sent ?? (status === 404 ? 'NOT_FOUND' : status === 403 ? 'FORBIDDEN' : 'INTERNAL'))) as HallErrorCode;
  return new HallError(code, typeof body?.message === 'string' ? body.message : messageFor(code), status);
}

export function isHallError(err: unknown): err is HallError {
  return err instanceof HallError;
}
