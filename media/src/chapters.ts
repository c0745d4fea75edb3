/**
 * WebVTT chapters for an archived recording, computed from the session journal: where each agenda item, question
 * and speaker turn starts. A pure function of the journal records and the session setup, so the archive can be
 * re-chaptered any time from the journal alone (the journal is the source of truth, the .vtt a derivative).
 *
 * WebVTT chapter tracks must not overlap, so the chapters are flat: each boundary (agenda item, speaker, question
 * group) starts a new cue titled with the item and, when someone has the floor, who speaks.
 */
import type { SessionSetup, SpeakerRef } from '@hall/core';

export interface JournalLike {
  at: number;
  event: unknown;
}

export interface Chapter {
  start: number;
  end: number;
  title: string;
  kind: 'item' | 'speaker' | 'question' | 'group' | 'sitting' | 'vote';
}

export interface ChapterWindow {
  /** ms since epoch the recording started (cue times are relative to it). */
  start: number;
  /** ms since epoch it ended. */
  end: number;
}

type Ev = { type: string; at?: number; by?: { role: string; id: string } } & Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

const PURPOSE_VI: Record<string, string> = {
  speech: 'Phát biểu',
  secondSpeech: 'Phát biểu lần hai',
  debate: 'Tranh luận',
  pointOfOrder: 'Ý kiến về thủ tục',
  explanation: 'Giải trình',
  presentation: 'Trình bày',
  question: 'Chất vấn',
  answer: 'Trả lời chất vấn',
  opening: 'Phát biểu mở đầu',
};

export function chapterList(records: JournalLike[], setup: Pick<SessionSetup, 'council' | 'agenda'>, window: ChapterWindow): Chapter[] {
  const delegates = new Map(setup.council.delegates.map((d) => [d.id, d]));
  const officials = new Map((setup.council.officials ?? []).map((o) => [o.id, o]));
  const items = new Map(setup.agenda.map((a, i) => [a.id, { title: a.title, n: i + 1 }]));
  const requests = new Map<string, { delegateId: string; purpose: string }>();
  const questions = new Map<string, { asker: string; respondentId: string; text: string }>();
  const groups = new Map<string, string>();
  const polls = new Map<string, string>();

  const who = (ref: SpeakerRef | { kind: 'delegate' | 'official'; id: string }): string => {
    if (ref.kind === 'guest') return ref.title ? `${ref.name} (${ref.title})` : ref.name;
    if (ref.kind === 'delegate') {
      const d = delegates.get(ref.id);
      return d ? `Đại biểu ${d.fullName}` : ref.id;
    }
    const o = officials.get(ref.id);
    return o ? `${o.fullName}${o.post ? `, ${o.post}` : ''}` : ref.id;
  };

  let item: string | null = null;
  let context: string | null = null;
  const boundaries: { at: number; title: string; kind: Chapter['kind'] }[] = [];
  const push = (at: number, kind: Chapter['kind'], detail: string | null) => {
    const title = [item, detail].filter(Boolean).join(' — ') || 'Phiên họp';
    boundaries.push({ at, title, kind });
  };

  for (const r of records) {
    const e = r.event as Ev | null;
    if (!e || typeof e.type !== 'string') continue;
    const at = typeof r.at === 'number' ? r.at : typeof e.at === 'number' ? e.at : 0;
    switch (e.type) {
      case 'sitting.begin':
        push(at, 'sitting', `Phiên: ${str(e.title) ?? ''}`);
        break;
      case 'agenda.goTo': {
        const it = items.get(str(e.itemId) ?? '');
        item = it ? `Mục ${it.n}: ${it.title}` : str(e.itemId) ?? null;
        context = null;
        push(at, 'item', null);
        break;
      }
      case 'floor.request':
        if (e.by?.role === 'delegate') requests.set(str(e.requestId) ?? '', { delegateId: e.by.id, purpose: str(e.purpose) ?? 'speech' });
        break;
      case 'floor.grant': {
        const req = requests.get(str(e.requestId) ?? '');
        if (req) push(at, 'speaker', `${PURPOSE_VI[req.purpose] ?? 'Phát biểu'}: ${who({ kind: 'delegate', id: req.delegateId })}`);
        break;
      }
      case 'floor.give': {
        const speaker = e.speaker as SpeakerRef | undefined;
        if (speaker) push(at, 'speaker', `${PURPOSE_VI[str(e.purpose) ?? ''] ?? 'Phát biểu'}: ${who(speaker)}`);
        break;
      }
      case 'questioning.addGroup':
        groups.set(str(e.groupId) ?? '', str(e.topic) ?? '');
        break;
      case 'questioning.openGroup':
        context = `Nhóm vấn đề: ${groups.get(str(e.groupId) ?? '') ?? ''}`;
        push(at, 'group', context);
        break;
      case 'questioning.closeGroup':
        context = null;
        break;
      case 'question.submit':
        if (e.by?.role === 'delegate') questions.set(str(e.questionId) ?? '', { asker: e.by.id, respondentId: str(e.respondentId) ?? '', text: str(e.text) ?? '' });
        break;
      case 'questioning.call': {
        const q = questions.get(str(e.questionId) ?? '');
        if (q) {
          const excerpt = q.text.length > 80 ? `${q.text.slice(0, 77)}…` : q.text;
          push(at, 'question', `Chất vấn: ${who({ kind: 'delegate', id: q.asker })} hỏi ${who({ kind: 'official', id: q.respondentId })}${excerpt ? ` — “${excerpt}”` : ''}`);
        }
        break;
      }
      case 'questioning.answer':
        push(at, 'speaker', `Trả lời chất vấn: ${who({ kind: 'official', id: str(e.respondentId) ?? '' })}`);
        break;
      case 'questioning.opening':
        push(at, 'speaker', `Phát biểu mở đầu: ${who({ kind: 'official', id: str(e.respondentId) ?? '' })}`);
        break;
      case 'questioning.debate': {
        const speaker = e.speaker as SpeakerRef | undefined;
        if (speaker) push(at, 'speaker', `Tranh luận: ${who(speaker)}`);
        break;
      }
      case 'floor.stop':
      case 'floor.yield':
        // Back to the item (or the question group) between speakers.
        push(at, context ? 'group' : 'item', context);
        break;
      case 'poll.open': {
        // The subject only: what was voted on is public the moment the vote opens; choices and counts are not here.
        const subject = str(e.subject);
        if (subject) polls.set(str(e.pollId) ?? '', subject);
        push(at, 'vote', `Biểu quyết: ${subject ?? ''}`);
        break;
      }
      case 'poll.revote':
        polls.set(str(e.newPollId) ?? '', polls.get(str(e.pollId) ?? '') ?? '');
        push(at, 'vote', `Biểu quyết lại: ${polls.get(str(e.pollId) ?? '') ?? ''}`);
        break;
      case 'sitting.setClosed':
        push(at, 'sitting', e.closed ? 'Họp kín' : null);
        break;
      default:
        break;
    }
  }

  // Cues inside the window; the chapter running when the recording started opens it.
  const chapters: Chapter[] = [];
  const before = boundaries.filter((b) => b.at <= window.start).pop();
  const inside = boundaries.filter((b) => b.at > window.start && b.at < window.end);
  const starts = [{ at: window.start, title: before?.title ?? 'Phiên họp', kind: before?.kind ?? ('sitting' as const) }, ...inside];
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const end = starts[i + 1]?.at ?? window.end;
    const prev = chapters[chapters.length - 1];
    // Two boundaries in the same instant, or a repeat of the same title, are one chapter.
    if (prev && (prev.title === s.title || s.at - window.start <= prev.start)) {
      prev.end = end - window.start;
      if (s.at - window.start <= prev.start) {
        prev.title = s.title;
        prev.kind = s.kind;
      }
      continue;
    }
    if (end > s.at || i === starts.length - 1) chapters.push({ start: s.at - window.start, end: end - window.start, title: s.title, kind: s.kind });
  }
  return chapters.filter((c) => c.end > c.start);
}

export function vttTime(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = Math.floor((t % 60_000) / 1000);
  const f = t % 1000;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(h)}:${p(m)}:${p(s)}.${p(f, 3)}`;
}

/** A cue's text may not contain "-->" or blank lines. */
const cueText = (s: string) => s.replace(/-->/g, '→').replace(/\s*\n\s*/g, ' ').trim();

export function chaptersVtt(records: JournalLike[], setup: Pick<SessionSetup, 'council' | 'agenda'>, window: ChapterWindow): string {
  const chapters = chapterList(records, setup, window);
  const cues = chapters.map((c, i) => `${i + 1}\n${vttTime(c.start)} --> ${vttTime(c.end)}\n${cueText(c.title)}`);
  return `WEBVTT - Hall chapters\n\n${cues.join('\n\n')}${cues.length ? '\n' : ''}`;
}
