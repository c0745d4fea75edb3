/** Class names without a dependency: falsy parts are skipped. */
export const cx = (...parts: (string | false | null | undefined)[]) => parts.filter(Boolean).join(' ');

export type HeadingLevel = 2 | 3 | 4;
export const heading = (level: HeadingLevel) => `h${level}` as const;
