/**
 * A minutes document as DOCX, in the administrative format of Decree 30/2020/NĐ-CP: A4, margins 20/20/30/15 mm
 * (top, bottom, left, right), Times New Roman 13 pt; the issuing body and number on the left and the national header
 * on the right, the place and date line under it; the title; the body; signature blocks. The text is the core
 * document's (`MinutesDoc`), so the DOCX and the PDF say the same thing.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
  type ITableCellOptions,
} from 'docx';
import type { Block, MinutesDoc, Run } from '@hall/core';

const FONT = 'Times New Roman';
/** Millimetres to twips, rounded (docx's own helper truncates: A4 would come out 11905 × 16837). */
const mm = (x: number) => Math.round((x * 1440) / 25.4);
const BODY = 26; // half-points: 13 pt
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };

const run = (r: Run, size = BODY) => new TextRun({ text: r.text, bold: r.bold ?? false, italics: r.italics ?? false, font: FONT, size });

function line(text: string, opts: { bold?: boolean; italics?: boolean; size?: number; align?: (typeof AlignmentType)[keyof typeof AlignmentType]; underline?: boolean } = {}) {
  return new Paragraph({
    alignment: opts.align ?? AlignmentType.CENTER,
    children: [new TextRun({ text, bold: opts.bold ?? false, italics: opts.italics ?? false, font: FONT, size: opts.size ?? BODY, ...(opts.underline ? { underline: {} } : {}) })],
  });
}

const cell = (children: Paragraph[], width: number, extra: Partial<ITableCellOptions> = {}) =>
  new TableCell({ children, width: { size: width, type: WidthType.PERCENTAGE }, ...extra });

function header(doc: MinutesDoc): Table {
  const left = [...doc.issuer.map((t, i) => line(t, { bold: true, underline: i === doc.issuer.length - 1 })), line(''), line(doc.number)];
  const right = [
    line('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true, size: 24 }),
    line('Độc lập - Tự do - Hạnh phúc', { bold: true, underline: true }),
    line(''),
    line(doc.placeDate, { italics: true }),
  ];
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    layout: TableLayoutType.FIXED,
    borders: NO_BORDERS,
    rows: [new TableRow({ children: [cell(left, 40), cell(right, 60)] })],
  });
}

function block(b: Block): (Paragraph | Table)[] {
  switch (b.kind) {
    case 'heading':
      return [new Paragraph({ spacing: { before: 200, after: 60 }, children: [run({ text: b.text, bold: true })] })];
    case 'subheading':
      return [new Paragraph({ spacing: { before: 120, after: 40 }, children: [run({ text: b.text, bold: true, italics: true })] })];
    case 'paragraph':
      return [new Paragraph({ alignment: AlignmentType.JUSTIFIED, indent: { firstLine: mm(10) }, spacing: { after: 60 }, children: b.runs.map((r) => run(r)) })];
    case 'bullet':
      return [new Paragraph({ indent: { left: mm(10) }, children: [run({ text: '- ' }), ...b.runs.map((r) => run(r))] })];
    case 'closed':
      return [new Paragraph({ spacing: { before: 80, after: 80 }, children: [run({ text: b.text, bold: true, italics: true })] })];
    case 'table':
      return [
        new Table({
          width: { size: 100, type: WidthType.PERCENTAGE },
          layout: TableLayoutType.FIXED,
          rows: [
            new TableRow({ tableHeader: true, children: b.columns.map((c, i) => cell([new Paragraph({ alignment: AlignmentType.CENTER, children: [run({ text: c, bold: true }, 22)] })], b.widths[i] ?? 10)) }),
            ...b.rows.map((row) => new TableRow({ children: row.map((c, i) => cell([new Paragraph({ children: [run({ text: c }, 22)] })], b.widths[i] ?? 10)) })),
          ],
        }),
        new Paragraph({ children: [] }),
      ];
  }
}

function signatures(doc: MinutesDoc): Table {
  const width = Math.floor(100 / Math.max(1, doc.signatures.length));
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    layout: TableLayoutType.FIXED,
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        children: doc.signatures.map((s) =>
          cell([line(s.title, { bold: true }), line('(Ký, ghi rõ họ tên)', { italics: true }), line(''), line(''), line(''), ...s.names.filter(Boolean).map((n) => line(n, { bold: true }))], width),
        ),
      }),
    ],
  });
}

export async function renderDocx(doc: MinutesDoc): Promise<Buffer> {
  const document = new Document({
    creator: 'Hall — điều hành kỳ họp HĐND',
    title: `${doc.title} — ${doc.subtitle.join(' — ')}`,
    styles: { default: { document: { run: { font: FONT, size: BODY } } } },
    sections: [
      {
        properties: {
          page: {
            size: { width: mm(210), height: mm(297) },
            margin: { top: mm(20), bottom: mm(20), left: mm(30), right: mm(15) },
          },
        },
        children: [
          header(doc),
          line(''),
          line(doc.title, { bold: true, size: 28 }),
          ...doc.subtitle.map((t) => line(t, { bold: true })),
          line(''),
          ...doc.blocks.flatMap(block),
          line(''),
          signatures(doc),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}
