/**
 * Reading an uploaded spreadsheet (XLSX or CSV) without trusting it. An XLSX file is a zip: 2 MB of it can unpack
 * to gigabytes (a zip bomb), and one sheet can hold a million rows. So:
 *
 *  - the upload itself is capped (`MAX_SHEET_FILE_BYTES`);
 *  - only the zip parts a sheet needs (workbook, its relationships, shared strings, worksheets) are unpacked, as a
 *    stream whose bytes are counted, and unpacking stops as soon as `MAX_UNPACKED_BYTES` is passed — nothing else in
 *    the zip (images, styles, macros) is ever inflated;
 *  - the counted parts are packed again (stored, no compression) with the shared strings first, and that clean zip
 *    is read with ExcelJS's streaming reader, which stops at the caller's row limit instead of building the sheet.
 *    Reading the same bytes that were counted is the point: a zip whose local headers disagree with its directory
 *    cannot smuggle an uncounted part past the check.
 *
 * A hostile or wrong file ends in a `SheetFileError` with a stable reason and a Vietnamese message, never a crash.
 */
import { Readable } from 'node:stream';
import { parseString } from '@fast-csv/parse';
import type ExcelJS from 'exceljs';
import { loadExcelJS } from './exceljs.ts';
import { csvCellText } from './sheets.ts';
import JSZip from 'jszip';

export const MAX_SHEET_FILE_BYTES = 2 * 1024 * 1024;
/** What the sheet's parts may unpack to, together: a 500-row list is well under 1 MB of XML. */
export const MAX_UNPACKED_BYTES = 16 * 1024 * 1024;
/** More parts than any spreadsheet program writes for a plain list. */
const MAX_ZIP_ENTRIES = 1000;

export const SheetFileReason = {
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  FILE_UNPACKS_TOO_LARGE: 'FILE_UNPACKS_TOO_LARGE',
  FILE_WRONG_TYPE: 'FILE_WRONG_TYPE',
  FILE_UNREADABLE: 'FILE_UNREADABLE',
} as const;
export type SheetFileReason = (typeof SheetFileReason)[keyof typeof SheetFileReason];

export class SheetFileError extends Error {
  constructor(
    readonly reason: SheetFileReason,
    message: string,
  ) {
    super(message);
  }
}

const MB = 1024 * 1024;
const fail = {
  tooLarge: () => new SheetFileError('FILE_TOO_LARGE', `Tệp lớn quá ${MAX_SHEET_FILE_BYTES / MB} MB`),
  unpacksTooLarge: () =>
    new SheetFileError('FILE_UNPACKS_TOO_LARGE', `Tệp XLSX giải nén ra quá ${MAX_UNPACKED_BYTES / MB} MB; danh sách đại biểu không cần lớn như vậy. Hãy lưu lại chỉ bảng đại biểu.`),
  wrongType: (format: 'xlsx' | 'csv') =>
    new SheetFileError(
      'FILE_WRONG_TYPE',
      format === 'xlsx' ? 'Tệp không phải bảng tính XLSX (Excel). Hãy chọn đúng tệp, hoặc chọn định dạng CSV nếu tệp là CSV.' : 'Tệp không phải CSV (văn bản). Hãy chọn đúng tệp, hoặc chọn định dạng XLSX nếu tệp là bảng tính Excel.',
    ),
  unreadable: (format: 'xlsx' | 'csv') => new SheetFileError('FILE_UNREADABLE', `Không đọc được tệp ${format.toUpperCase()}`),
};

/** One non-empty spreadsheet row: its number as the spreadsheet shows it (1-based) and its cells as text. */
export interface SheetRow {
  row: number;
  cells: string[];
}

export interface SheetRead {
  /** The first non-empty row (the header) and at most `maxRows` non-empty rows after it. */
  rows: SheetRow[];
  /** More non-empty rows followed than `maxRows`; they were not read. */
  truncated: boolean;
}

const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return v.result === undefined ? '' : String(v.result);
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    return '';
  }
  return String(v);
};

/** Collects non-empty rows until `maxRows` past the header; `push` answers false once one more was seen. */
function collector(maxRows: number) {
  const rows: SheetRow[] = [];
  let truncated = false;
  return {
    push(row: number, cells: string[]): boolean {
      if (!cells.some((c) => c !== '')) return true;
      if (rows.length > maxRows) {
        truncated = true;
        return false;
      }
      rows.push({ row, cells });
      return true;
    },
    done: (): SheetRead => ({ rows, truncated }),
  };
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const WORKSHEET = /^xl\/worksheets\/sheet\d+\.xml$/;
const NEEDED = (name: string) => name === 'xl/workbook.xml' || name === 'xl/_rels/workbook.xml.rels' || name === 'xl/sharedStrings.xml' || WORKSHEET.test(name);
const EMPTY_SHARED_STRINGS = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>';

/** The parts of the zip a sheet needs, unpacked with a running byte count; throws once the count passes the cap. */
async function unpackCounted(data: Buffer): Promise<Map<string, Buffer>> {
  if (!data.subarray(0, 4).equals(ZIP_MAGIC)) throw fail.wrongType('xlsx');
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(data);
  } catch {
    throw fail.wrongType('xlsx');
  }
  const entries = Object.values(zip.files);
  if (entries.length > MAX_ZIP_ENTRIES) throw fail.unpacksTooLarge();
  const parts = new Map<string, Buffer>();
  let total = 0;
  for (const entry of entries) {
    if (entry.dir || !NEEDED(entry.name)) continue;
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      // jszip's stream inflates a chunk at a time, only while it is read: pausing it stops the unpacking.
      const stream = entry.nodeStream('nodebuffer');
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total <= MAX_UNPACKED_BYTES) return void chunks.push(chunk);
        stream.pause();
        stream.removeAllListeners('data');
        reject(fail.unpacksTooLarge());
      });
      stream.on('error', () => reject(fail.unreadable('xlsx')));
      stream.on('end', () => resolve());
    });
    parts.set(entry.name, Buffer.concat(chunks));
  }
  if (!parts.has('xl/workbook.xml') || !parts.has('xl/_rels/workbook.xml.rels') || ![...parts.keys()].some((n) => WORKSHEET.test(n))) throw fail.wrongType('xlsx');
  return parts;
}

async function readXlsx(data: Buffer, maxRows: number): Promise<SheetRead> {
  const parts = await unpackCounted(data);
  // The streaming reader parks worksheets that come before the shared strings in temporary files: put the shared
  // strings (an empty table when the file has none) and relationships first so it never needs to.
  const clean = new JSZip();
  clean.file('xl/_rels/workbook.xml.rels', parts.get('xl/_rels/workbook.xml.rels')!);
  clean.file('xl/workbook.xml', parts.get('xl/workbook.xml')!);
  clean.file('xl/sharedStrings.xml', parts.get('xl/sharedStrings.xml') ?? EMPTY_SHARED_STRINGS);
  const sheetNumber = (name: string) => Number(/(\d+)\.xml$/.exec(name)![1]);
  for (const name of [...parts.keys()].filter((n) => WORKSHEET.test(n)).sort((a, b) => sheetNumber(a) - sheetNumber(b))) clean.file(name, parts.get(name)!);
  const packed = await clean.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
  parts.clear();

  const rows = collector(maxRows);
  const { stream } = await loadExcelJS();
  try {
    const reader = new stream.xlsx.WorkbookReader(Readable.from([packed]), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'ignore',
      entries: 'ignore',
    });
    // The first worksheet only, and only as far as the row limit.
    for await (const worksheet of reader) {
      for await (const row of worksheet) {
        const values = Array.isArray(row.values) ? row.values.slice(1) : [];
        if (!rows.push(row.number, Array.from(values, (v) => cellText(v as ExcelJS.CellValue).trim()))) break;
      }
      break;
    }
  } catch {
    throw fail.unreadable('xlsx');
  }
  return rows.done();
}

async function readCsv(data: Buffer, maxRows: number): Promise<SheetRead> {
  if (data.subarray(0, 4).equals(ZIP_MAGIC) || data.includes(0)) throw fail.wrongType('csv');
  // A BOM (spreadsheet programs write one so the Vietnamese reads right) is not part of the first header.
  const text = data.toString('utf8').replace(/^\ufeff/, '');
  const delimiter = text.split('\n', 1)[0]!.includes(';') ? ';' : ',';
  const rows = collector(maxRows);
  let line = 0;
  try {
    for await (const cells of parseString<string[], string[]>(text, { delimiter })) {
      line += 1;
      if (!rows.push(line, (cells as string[]).map((c) => csvCellText(String(c).trim()).trim()))) break;
    }
  } catch {
    throw fail.unreadable('csv');
  }
  return rows.done();
}

/**
 * The header and up to `maxRows` non-empty rows of the first sheet of an uploaded file. Throws `SheetFileError` for
 * a file that is too large, unpacks too large, is not the format it claims, or cannot be read.
 */
export async function readSheetFile(format: 'xlsx' | 'csv', data: Buffer, maxRows: number): Promise<SheetRead> {
  if (data.length > MAX_SHEET_FILE_BYTES) throw fail.tooLarge();
  return format === 'xlsx' ? readXlsx(data, maxRows) : readCsv(data, maxRows);
}

export const sheetFileTooLarge = fail.tooLarge;
