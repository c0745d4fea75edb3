export * from './derive.ts';
export * from './public.ts';
export * from './statistics.ts';
export * from './commitments.ts';
export * from './document.ts';
export * from './tables.ts';
export * from './labels.ts';
export * from './time.ts';
