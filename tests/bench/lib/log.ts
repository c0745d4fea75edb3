/** Progress lines on stderr, stamped with seconds since the run started. */
const t0 = performance.now();
export const logLine = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
