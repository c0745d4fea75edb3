/**
 * Export tables as a spreadsheet (XLSX, one sheet per table) and as CSV (one table per file, UTF-8 with a BOM so
 * spreadsheet programs read the Vietnamese right), both with exceljs so the two can never format a cell differently.
 */
import type ExcelJS from 'exceljs';
import { loadExcelJS } from './exceljs.ts';
import type { Table } from '@hall/core';

function sheetOf(workbook: ExcelJS.Workbook, table: Table) {
  const sheet = workbook.addWorksheet(table.title.slice(0, 31));
  sheet.addRow(table.columns).font = { bold: true };
  for (const row of table.rows) sheet.addRow(row);
  sheet.columns.forEach((col, i) => {
    const longest = Math.max(table.columns[i]?.length ?? 0, ...table.rows.map((r) => String(r[i] ?? '').length));
    col.width = Math.min(60, Math.max(8, longest + 2));
  });
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return sheet;
}

export async function renderXlsx(tables: Table[], title: string): Promise<Buffer> {
  const workbook = new (await loadExcelJS()).Workbook();
  workbook.creator = 'Hall — điều hành kỳ họp HĐND';
  workbook.title = title;
  for (const t of tables) sheetOf(workbook, t);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A CSV cell a spreadsheet program would run as a formula when the file is opened — text starting with `=`, `+`, `-`,
 * `@`, a tab or a carriage return — goes out behind an apostrophe, so it reads as the text it is. The text of a
 * question or a name is typed by people outside the secretariat (a delegate's tablet), and the open data is
 * downloaded by anyone: `=HYPERLINK(…)` in a question must not become a live formula on the secretary's computer.
 * (XLSX needs none of this: a string cell there is never a formula.) `csvCellText` takes the apostrophe off again
 * on import, so an exported delegate list re-imports unchanged.
 */
export const csvSafeCell = <T>(value: T): T | string => (typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value);

export const csvCellText = (text: string): string => (text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text);

export async function renderCsv(table: Table): Promise<Buffer> {
  const workbook = new (await loadExcelJS()).Workbook();
  sheetOf(workbook, { ...table, columns: table.columns.map(csvSafeCell), rows: table.rows.map((row) => row.map(csvSafeCell)) });
  const csv = Buffer.from(await workbook.csv.writeBuffer());
  return Buffer.concat([Buffer.from('\ufeff', 'utf8'), csv]);
}
