/**
 * A minutes document as PDF (pdfmake), with the same layout as the DOCX. The font is Tinos — metric-compatible with
 * Times New Roman, with every Vietnamese glyph — embedded (subset) in the file, so the PDF reads the same on any
 * machine. It ships in the npm package @expo-google-fonts/tinos (Apache 2.0), so a fresh machine needs nothing from
 * the operating system.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Block, MinutesDoc, Run } from '@hall/core';

const require = createRequire(import.meta.url);
type PdfMake = {
  virtualfs: { writeFileSync(name: string, data: Buffer): void };
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(cb: (url: string) => boolean): void;
  setLocalAccessPolicy(cb: (path: string) => boolean): void;
  createPdf(doc: object): { getBuffer(): Promise<Buffer> };
};

const fontDir = path.dirname(require.resolve('@expo-google-fonts/tinos'));
const FONT_FILES = {
  normal: '400Regular/Tinos_400Regular.ttf',
  bold: '700Bold/Tinos_700Bold.ttf',
  italics: '400Regular_Italic/Tinos_400Regular_Italic.ttf',
  bolditalics: '700Bold_Italic/Tinos_700Bold_Italic.ttf',
} as const;

// Loaded on first use: pdfmake takes about a sixth of a second to load, and only minutes and seeded documents need it —
// a server restarting in the middle of a sitting should not wait for it before it answers.
let pdfmake: PdfMake | null = null;
function setUp(): PdfMake {
  if (pdfmake) return pdfmake;
  const loaded = require('pdfmake') as PdfMake;
  // The fonts go into pdfmake's virtual file system: nothing is read from disk or the network while rendering.
  const fonts: Record<string, string> = {};
  for (const [style, file] of Object.entries(FONT_FILES)) {
    const name = `Tinos-${style}.ttf`;
    loaded.virtualfs.writeFileSync(name, readFileSync(path.join(fontDir, file)));
    fonts[style] = name;
  }
  loaded.setFonts({ Tinos: fonts });
  loaded.setUrlAccessPolicy(() => false);
  loaded.setLocalAccessPolicy(() => false);
  return (pdfmake = loaded);
}

/** A pdfmake definition rendered with the embedded fonts (name the font 'Tinos'); the demo seed's documents use it too. */
export function renderPdfDefinition(definition: object): Promise<Buffer> {
  // Tinos unless the definition says otherwise: Vietnamese diacritics need the embedded font.
  return setUp().createPdf({ defaultStyle: { font: 'Tinos' }, ...definition }).getBuffer();
}

export const mm = (x: number) => (x * 72) / 25.4;
const runs = (rs: Run[]) => rs.map((r) => ({ text: r.text, bold: r.bold ?? false, italics: r.italics ?? false }));

function block(b: Block): object[] {
  switch (b.kind) {
    case 'heading':
      return [{ text: b.text, bold: true, margin: [0, 8, 0, 3] }];
    case 'subheading':
      return [{ text: b.text, bold: true, italics: true, margin: [0, 5, 0, 2] }];
    case 'paragraph':
      return [{ text: runs(b.runs), alignment: 'justify', leadingIndent: mm(10), margin: [0, 0, 0, 3] }];
    case 'bullet':
      return [{ text: [{ text: '- ' }, ...runs(b.runs)], margin: [mm(10), 0, 0, 2] }];
    case 'closed':
      return [{ text: b.text, bold: true, italics: true, margin: [0, 4, 0, 4] }];
    case 'table':
      return [
        {
          fontSize: 11,
          margin: [0, 2, 0, 6],
          table: {
            headerRows: 1,
            widths: b.widths.map((w) => `${w}%`),
            body: [b.columns.map((c) => ({ text: c, bold: true, alignment: 'center' })), ...b.rows.map((r) => r.map((c) => ({ text: c })))],
          },
        },
      ];
  }
}

export const centered = (text: string, style: object = {}) => ({ text, alignment: 'center', ...style });

/** The head of a Vietnamese administrative paper: issuer and number on the left, national motto, place and date right. */
export const letterhead = (issuer: string[], number: string, placeDate: string) => ({
  columns: [
    { width: '40%', stack: [...issuer.map((t) => centered(t, { bold: true })), centered(' '), centered(number)] },
    {
      width: '60%',
      stack: [
        centered('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true, fontSize: 12 }),
        centered('Độc lập - Tự do - Hạnh phúc', { bold: true, decoration: 'underline' }),
        centered(' '),
        centered(placeDate, { italics: true }),
      ],
    },
  ],
});

export async function renderPdf(doc: MinutesDoc): Promise<Buffer> {
  const definition = {
    pageSize: 'A4',
    pageMargins: [mm(30), mm(20), mm(15), mm(20)],
    info: { title: `${doc.title} — ${doc.subtitle.join(' — ')}`, creator: 'Hall — điều hành kỳ họp HĐND', producer: 'Hall' },
    defaultStyle: { font: 'Tinos', fontSize: 13, lineHeight: 1.1 },
    content: [
      letterhead(doc.issuer, doc.number, doc.placeDate),
      centered(doc.title, { bold: true, fontSize: 14, margin: [0, 16, 0, 0] }),
      ...doc.subtitle.map((t) => centered(t, { bold: true })),
      { text: ' ' },
      ...doc.blocks.flatMap(block),
      {
        margin: [0, 16, 0, 0],
        unbreakable: true,
        columns: doc.signatures.map((s) => ({
          width: '*',
          stack: [centered(s.title, { bold: true }), centered('(Ký, ghi rõ họ tên)', { italics: true }), centered(' '), centered(' '), centered(' '), ...s.names.filter(Boolean).map((n) => centered(n, { bold: true }))],
        })),
      },
    ],
  };
  return renderPdfDefinition(definition);
}
