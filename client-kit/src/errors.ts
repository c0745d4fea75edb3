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

export function messageFor(code: HallErrorCode, lang: 'vi' | 'en' = 'vi'): string {
  return (code in errorMessages ? errorMessages[code as ErrorCode] : kitErrorMessages[code as LoginFailureCode | 'NETWORK'])[lang];
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

export function isHallError(err: unknown): err is HallError {
  return err instanceof HallError;
}
