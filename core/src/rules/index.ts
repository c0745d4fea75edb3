export { MAX_COUNT } from './integers.ts';
export * from './thresholds.ts';
export * from './percent.ts';
export * from './quorum.ts';
export * from './tally.ts';
export * from './adjourn.ts';
