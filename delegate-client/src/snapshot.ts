/**
 * Read-only facts from the machine snapshot the delegate view carries (`view.snapshot`, already redacted by the
 * server): the council's officials and the respondents of each question group. The view itself lists respondents only
 * for the group being questioned, but a delegate files question forms before the sitting too (docs/rules.md), so the
 * form needs the whole list. Nothing here decides anything: permissions still come from `useCan`.
 */
import type { SessionView } from '@hall/core';

export interface OfficialRef {
  id: string;
  name: string;
  post: string;
}

interface SnapshotShape {
  context?: {
    council?: {
      officials?: { id: string; fullName: string; post: string; respondent?: boolean }[];
      profile?: { allowBallotChange?: boolean };
    };
    questioning?: { groups?: { groupId: string; respondentIds?: string[] }[] };
  };
}

const ctx = (view: SessionView | null) => (view?.snapshot as SnapshotShape | undefined)?.context;

/**
 * Officials who may be questioned (respondent = true). Falls back to the respondents of the group being questioned
 * when the snapshot is missing (an older server), so the form still works during a questioning sitting.
 */
export function respondentsOf(view: SessionView | null): OfficialRef[] {
  const officials = ctx(view)?.council?.officials;
  if (Array.isArray(officials)) {
    return officials.filter((o) => o.respondent).map((o) => ({ id: o.id, name: o.fullName, post: o.post }));
  }
  return view?.questioning?.activeGroup?.respondents.map((r) => ({ id: r.id, name: r.name, post: r.post })) ?? [];
}

/** Respondent ids per question group, for offering only the groups that include the chosen respondent. */
export function groupRespondents(view: SessionView | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of ctx(view)?.questioning?.groups ?? []) out.set(g.groupId, g.respondentIds ?? []);
  const active = view?.questioning?.activeGroup;
  if (active && !out.has(active.groupId)) out.set(active.groupId, active.respondents.map((r) => r.id));
  return out;
}

/**
 * Whether an open ballot may be changed (the council's profile). Only used to decide whether the first press of a
 * public vote needs a confirmation step (it does when it will be final); `useCan` still decides what may be sent.
 */
export function ballotChangeAllowed(view: SessionView | null): boolean {
  return ctx(view)?.council?.profile?.allowBallotChange !== false;
}
