/** Error and refusal texts come from core, so the catalogs never drift from what the server says. */
import { errorMessages, Refusal, type ErrorCode, type RefusalReason } from '@hall/core';
import { kitErrorMessages } from '../errors.ts';

export function coreMessages(lang: 'vi' | 'en') {
  const errors = Object.fromEntries(
    [...Object.entries(errorMessages), ...Object.entries(kitErrorMessages)].map(([code, m]) => [code, m[lang]]),
  ) as Record<ErrorCode | keyof typeof kitErrorMessages, string>;
  const refusals = Object.fromEntries(Object.entries(Refusal).map(([reason, m]) => [reason, m[lang]])) as Record<RefusalReason, string>;
  return { errors, refusals };
}
