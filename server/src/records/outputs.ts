/**
 * The files a record is published as — minutes in DOCX and PDF, tables in XLSX and CSV, the session as open data
 * JSON — shared by the staff routes (both editions) and the public routes (public edition only).
 */
import type { FastifyReply } from 'fastify';
import { recordTables, sessionStatistics, tableNames, type Edition, type MinutesDoc, type SessionRecordModel, type TableName } from '@hall/core';
import { renderDocx } from './docx.ts';
import { renderPdf } from './pdf.ts';
import { renderCsv, renderXlsx } from './sheets.ts';

export const MIME = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

/** A download name for `filename*=` (RFC 8187) from Vietnamese text. */
export function attachment(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.normalize('NFC').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim() || 'ho-so';
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename*=UTF-8''${encoded}`;
}

export function sendFile(reply: FastifyReply, bytes: Buffer | string, format: keyof typeof MIME, name: string) {
  return reply
    .header('content-type', MIME[format])
    .header('content-disposition', attachment(`${name}.${format}`))
    .header('cache-control', 'no-store')
    .send(bytes);
}

export function renderMinutes(doc: MinutesDoc, format: 'docx' | 'pdf'): Promise<Buffer> {
  return format === 'docx' ? renderDocx(doc) : renderPdf(doc);
}

/** The session as open data: the record (its edition) with the figures, stamped with when and from which seq. */
export function openData(model: SessionRecordModel, edition: Edition, today: string, generatedAt: number) {
  return {
    format: 'hall.session-record',
    version: 1,
    edition,
    generatedAt: new Date(generatedAt).toISOString(),
    throughSeq: model.throughSeq,
    record: model,
    statistics: sessionStatistics(model, today),
    tables: Object.fromEntries(recordTables(model, today, edition).map((t) => [t.name, { title: t.title, columns: t.columns, rows: t.rows }])),
  };
}

export async function exportFile(model: SessionRecordModel, edition: Edition, format: 'xlsx' | 'csv' | 'json', table: TableName | undefined, today: string, now: number) {
  if (format === 'json') return Buffer.from(JSON.stringify(openData(model, edition, today, now), null, 2));
  const tables = recordTables(model, today, edition);
  if (format === 'xlsx') return renderXlsx(table ? tables.filter((t) => t.name === table) : tables, model.title);
  return renderCsv(tables.find((t) => t.name === (table ?? 'attendance'))!);
}

export { tableNames };
