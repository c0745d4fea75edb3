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

export async function renderCsv(table: Table): Promise<Buffer> {
  const workbook = new (await loadExcelJS()).Workbook();
  sheetOf(workbook, table);
  const csv = Buffer.from(await workbook.csv.writeBuffer());
  return Buffer.concat([Buffer.from('\ufeff', 'utf8'), csv]);
}
