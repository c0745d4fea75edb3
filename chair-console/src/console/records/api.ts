/**
 * The records API (`/api/records/*`, docs/records.md) as the console uses it: JSON calls with the bearer token, and
 * downloads fetched as blobs (a plain link cannot carry the token) and saved through an `<a download>` with the
 * server's file name.
 */
import { fetchFile, HallError, httpFailure, isHallError, saveBlob } from '@hall/client-kit';
import type { MinutesApproval, MinutesDraftText, SessionStatistics } from '@hall/core';

export interface MinutesSummary {
  key: string;
  title: string;
  approvals: MinutesApproval[];
  draftUpdatedAt: number | null;
}

export interface SessionRecords {
  today: string;
  throughSeq: number;
  minutes: MinutesSummary[];
  statistics: SessionStatistics;
  committee: { delegateId: string; role: string; name: string }[];
}

export interface MinutesDraft {
  key: string;
  text: MinutesDraftText;
  updatedAt: number | null;
  updatedBy: string | null;
  approvals: MinutesSummary['approvals'];
}

export interface CommitmentUpdateRow {
  updateId: string;
  status: 'inProgress' | 'done';
  note: string;
  evidence?: string;
  at: number;
  by: string;
}

export interface RegisterRow {
  commitmentId: string;
  sessionId: string;
  sessionTitle: string;
  respondent: string;
  respondentPost: string;
  content: string;
  deadline: string | null;
  status: 'inProgress' | 'done' | 'overdue';
  updates: CommitmentUpdateRow[];
  closed: boolean;
}

export interface WrittenRow {
  questionId: string;
  sessionId: string;
  sessionTitle: string;
  asker: string;
  respondent: string;
  text: string;
  writtenStatus: 'pending' | 'answered' | 'overdue';
  dueDate: string | null;
}

export interface CouncilRegister {
  today: string;
  commitments: RegisterRow[];
  written: WrittenRow[];
  openByRespondent: { respondentId: string; respondent: string; post: string; commitments: RegisterRow[] }[];
}

/** What to tell a person about a failed call: the server's own (Vietnamese) message when there is one. */
export const errorText = (err: unknown) => (isHallError(err) ? err.message : String(err));

async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new HallError('NETWORK');
  }
  const json = (await res.json().catch(() => null)) as ({ ok?: boolean; code?: string; message?: string } & T) | null;
  if (!res.ok || !json?.ok) throw httpFailure(res.status, json);
  return json;
}

const session = (id: string) => `/api/records/sessions/${encodeURIComponent(id)}`;

export const recordsApi = {
  session: (token: string, id: string) => call<SessionRecords>(token, 'GET', session(id)),
  minutes: (token: string, id: string, key: string) => call<MinutesDraft>(token, 'GET', `${session(id)}/minutes/${encodeURIComponent(key)}`),
  saveDraft: (token: string, id: string, key: string, text: MinutesDraftText) => call<{ ok: true }>(token, 'PUT', `${session(id)}/minutes/${encodeURIComponent(key)}/draft`, text),
  approve: (token: string, id: string, key: string) =>
    call<{ ok: true; seq: number; approval: { version: number; sha256: string } }>(token, 'POST', `${session(id)}/minutes/${encodeURIComponent(key)}/approve`),
  register: (token: string, councilId: string) => call<CouncilRegister>(token, 'GET', `/api/records/councils/${encodeURIComponent(councilId)}/commitments`),
  followUp: (token: string, sessionId: string, commitmentId: string, body: { status: 'inProgress' | 'done'; note: string; evidence?: string }) =>
    call<{ ok: true; seq: number }>(token, 'POST', `${session(sessionId)}/commitments/${encodeURIComponent(commitmentId)}/updates`, body),
  writtenAnswer: (token: string, sessionId: string, questionId: string) =>
    call<{ ok: true; seq: number }>(token, 'POST', `${session(sessionId)}/questions/${encodeURIComponent(questionId)}/written-answer`, {}),
};

export const minutesFileUrl = (id: string, key: string, format: 'pdf' | 'docx', version: 'draft' | number, edition: 'internal' | 'public') =>
  `${session(id)}/minutes/${encodeURIComponent(key)}/file?format=${format}&version=${version}&edition=${edition}`;

export const exportUrl = (id: string, format: 'xlsx' | 'csv' | 'json', edition: 'internal' | 'public', table?: string) =>
  `${session(id)}/export?format=${format}&edition=${edition}${table ? `&table=${table}` : ''}`;

/** Downloads a record file (minutes, export) with the token, under the name the server gives it. */
export async function download(token: string, url: string): Promise<void> {
  const file = await fetchFile(token, url);
  saveBlob(file.blob, file.fileName);
}
