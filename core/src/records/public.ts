/**
 * The public edition of a session record: what anyone may read without signing in (docs/rules.md: sittings are
 * public unless closed). Every item of a closed part is left out — its speeches, polls, questions, groups,
 * commitments and agenda moves — and only the fact and times of a closed part remain. Internal details never leave:
 * attendance notes (reasons of absence can be private), who corrected the roll, the accounts that acted, unheard
 * requests. Results appear only once announced; named lists only for public electronic votes.
 *
 * Every public output (the record site, public minutes, open data, exports marked public) is built from this one
 * function's result, so "closed parts never appear in public" is enforced in one place.
 */
import type { SessionRecordModel } from './derive.ts';

export function publicRecord(model: SessionRecordModel): SessionRecordModel {
  const speeches = model.speeches.filter((s) => !s.closed);
  const polls = model.polls
    .filter((p) => !p.closed && p.status !== 'open')
    .map((p) => (p.announced ? p : { ...p, result: null, named: [] }));
  const questions = model.questions
    // A form nobody put to the hall and nobody answered in writing is not part of the record yet.
    .filter((q) => !q.closed && q.status !== 'withdrawn' && q.status !== 'queued');
  const publicQuestions = new Set(questions.map((q) => q.questionId));
  return {
    ...model,
    actors: { chair: [], secretary: [] },
    sittings: model.sittings.map((s) => ({
      ...s,
      attendance: s.attendance.map(({ note: _note, correctedBy: _by, ...row }) => row),
    })),
    agendaRun: model.agendaRun.filter((m) => !m.closed),
    speeches,
    polls,
    groups: model.groups.filter((g) => !g.closed),
    questions,
    commitments: model.commitments
      .filter((c) => !c.closed && (c.questionId === null || publicQuestions.has(c.questionId)))
      .map((c) => ({ ...c, updates: c.updates.map((u) => ({ ...u, by: '' })) })),
    unheard: [],
  };
}
