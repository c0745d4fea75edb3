/**
 * exceljs, loaded on first use. It takes about a third of a second to load, and only exports and roster imports need
 * it: a server restarting after a crash in the middle of a sitting should not wait for it before it answers.
 */
import type ExcelJSModule from 'exceljs';

let loading: Promise<typeof ExcelJSModule> | null = null;

export const loadExcelJS = (): Promise<typeof ExcelJSModule> =>
  (loading ??= import('exceljs').then(
    (m) => m.default,
    (err: unknown) => {
      // A failed load is not kept: the next export tries again instead of failing until a restart.
      loading = null;
      throw err;
    },
  ));
