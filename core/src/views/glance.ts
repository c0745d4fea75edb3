/**
 * A session at a glance, for the oversight dashboard: phase, attendance against the quorum, the current agenda item,
 * the poll in progress (its subject and kind — never counts while it runs) and whether it is on air. Built from the
 * wall's view, the one the hall itself sees, so it says nothing the hall does not.
 */
import type { PollKind, PollMode } from '../protocol/commands.ts';
import type { Phase, SessionView } from './project.ts';

export interface SessionGlance {
  sessionId: string;
  councilId: string;
  seq: number;
  phase: Phase;
  sitting: number | null;
  closedSitting: boolean;
  present: number | null;
  total: number | null;
  required: number | null;
  quorumMet: boolean | null;
  currentItem: { id: string; title: string } | null;
  poll: { subject: string; kind: PollKind; mode: PollMode } | null;
  onAir: boolean;
}

export function glanceOf(view: SessionView): SessionGlance {
  const item = view.currentItemId ? view.agenda.find((i) => i.id === view.currentItemId) : undefined;
  const a = view.attendance;
  const open = view.poll && view.poll.status === 'open' ? view.poll : null;
  return {
    sessionId: view.sessionId,
    councilId: view.council.id,
    seq: view.seq,
    phase: view.phase,
    sitting: view.sitting?.number ?? null,
    closedSitting: view.closedSitting,
    present: a ? a.quorum.counted : null,
    total: a ? a.total : null,
    required: a ? a.quorum.required : null,
    quorumMet: a ? a.quorum.met : null,
    currentItem: item ? { id: item.id, title: item.title } : null,
    poll: open ? { subject: open.subject, kind: open.kind, mode: open.mode } : null,
    onAir: view.broadcast.onAir,
  };
}
