/**
 * How views travel after the join answer. A join answers with a complete view; after that the server pushes, per
 * publication and per audience room (staff, wall, public, the delegates of a session):
 *  - to a socket that joined since the room's last publication: the whole view as pushed (`session:view`);
 *  - to every other socket of the room: a `ViewPatch` from the view the room was last sent to the new one
 *    (`session:patch`), computed and encoded once for the room.
 * Delegates share one view (no `me`, no `mine`) for the whole hall; before it, and only to a delegate whose own part
 * changed, goes that delegate's `PersonalView`. Every pushed view leaves out the council, which is frozen at seq 0
 * and already came with the join answer.
 *
 * Why: a province hall has 85 tablets, a chair console and a wall; a ballot changes a few fields of views of 10–25
 * KB. Whole views cost an encoding of each per publication; a patch costs bytes proportional to the change.
 *
 * Continuity: a patch names the seq it starts from. A client applies it only to the pushed view of exactly that seq;
 * a patch from another seq, or one that does not fit, means the client missed something, and it asks for a whole view
 * again (a join with its last seq). While it holds no pushed view (before the first, after a misfit), patches are
 * ignored: the join answer is current, and the server pushes a whole view to a joiner at the room's next publication.
 *
 * Secrecy: a patch is computed from two views of the same audience, both of which its receivers get whole too, so it
 * can say nothing they would not read by comparing them; personal parts never go through a room's patch.
 *
 * `ViewAssembler` is the receiving end every client uses (the apps' HallClient, the bots, the tests), so a pushed
 * view or patch is completed by the same code everywhere.
 */
import { applyPatch, diff, type PatchOp } from './patch.ts';
import { personalise, type Audience, type PersonalView, type SessionView } from './project.ts';
import type { SessionSnapshot } from '../machine/engine.ts';

/** What changed in a room's view from seq `from` to seq `seq` (`seq` first: the bench reads it from a frame's first bytes). */
export interface ViewPatch {
  seq: number;
  from: number;
  sessionId: string;
  audience: Audience;
  ops: PatchOp[];
}

/**
 * The patch that turns a room's previous pushed view into the next one. Throws for views of two rooms (sessions or
 * audiences) or carrying a delegate's own part (`me`, a poll's `mine`): the patch goes to a whole room, so it must say
 * nothing that only one of its members may read, and it fits only the view its room was sent.
 */
export function viewPatch(from: SessionView, to: SessionView): ViewPatch {
  if (from.sessionId !== to.sessionId || from.audience !== to.audience) {
    throw new RangeError(`viewPatch: views of two rooms (${from.sessionId}/${from.audience} → ${to.sessionId}/${to.audience})`);
  }
  if (hasPersonalPart(from) || hasPersonalPart(to)) throw new RangeError('viewPatch: a view with a personal part (me/mine) is not a room\'s view');
  return { seq: to.seq, from: from.seq, sessionId: to.sessionId, audience: to.audience, ops: diff(from, to) };
}

const hasPersonalPart = (view: SessionView) => view.me != null || view.poll?.mine !== undefined || view.polls.some((p) => p.mine !== undefined);

/** What a client does with a patch: show the view it makes, ignore it, or ask for a whole view (a join). */
export type PatchOutcome = { kind: 'view'; view: SessionView } | { kind: 'ignored' } | { kind: 'resync' };


type SnapshotWithContext = { context: Record<string, unknown> } & Record<string, unknown>;

const hasContext = (snapshot: unknown): snapshot is SnapshotWithContext =>
  typeof snapshot === 'object' && snapshot !== null && typeof (snapshot as SnapshotWithContext).context === 'object' && (snapshot as SnapshotWithContext).context !== null;

/** The view as pushed: its snapshot (if any) without the council. */
export function withoutCouncil(view: SessionView): SessionView {
  if (!hasContext(view.snapshot)) return view;
  const { council: _council, ...context } = view.snapshot.context;
  return { ...view, snapshot: { ...view.snapshot, context } };
}

/** The council a complete view's snapshot carries, or undefined when it carries none (or it was left out). */
function councilOf(view: SessionView): unknown {
  return hasContext(view.snapshot) ? view.snapshot.context.council : undefined;
}

function withCouncil(view: SessionView, council: unknown): SessionView {
  if (!hasContext(view.snapshot)) return view;
  return { ...view, snapshot: { ...view.snapshot, context: { ...view.snapshot.context, council } } };
}

/** The personal part a complete delegate view carries. */
function personalFrom(view: SessionView): PersonalView | null {
  if (!view.me) return null;
  const mine: PersonalView['mine'] = {};
  for (const poll of view.polls) if (poll.mine) mine[poll.pollId] = poll.mine;
  return { sessionId: view.sessionId, seq: view.seq, me: view.me, mine };
}

/**
 * Completes pushed views and patches. Feed it every join answer (`complete`), pushed view (`pushed`), patch
 * (`patched`) and personal part (`personal`) of one connection; `pushed` returns the complete view to show, or null
 * when it cannot be completed (nothing from this session's join answer yet — the join answer about to arrive carries
 * the whole state anyway).
 */
export class ViewAssembler {
  private council: { sessionId: string; value: unknown } | null = null;
  private mine: PersonalView | null = null;
  /** The last view pushed to this connection as it travelled (no council, no personal part): the base of patches. */
  private wire: SessionView | null = null;

  /** A join answer: complete by construction; remembered as the source of the council and the personal part. */
  complete(view: SessionView): SessionView {
    const council = councilOf(view);
    if (council !== undefined) this.council = { sessionId: view.sessionId, value: council };
    const personal = personalFrom(view);
    if (personal) this.mine = personal;
    // The pushed view held (if any) stays the base: patches from it still fit, and the server pushes a joiner a whole
    // view at the room's next publication anyway.
    return view;
  }

  /**
   * A delegate's own part, pushed before the shared view it belongs with — or alone, when the server holds the
   * tablets' shared view back (vote progress, `onlyVoteProgress`): then the voter's own choice must not wait for it, so
   * the part completes the shared view held and that view is returned (null while no pushed view is held).
   */
  personal(part: PersonalView): SessionView | null {
    if (this.mine && this.mine.sessionId === part.sessionId && part.seq < this.mine.seq) return null;
    this.mine = part;
    return this.wire?.sessionId === part.sessionId ? this.completed(this.wire) : null;
  }

  pushed(view: SessionView): SessionView | null {
    this.wire = view;
    return this.completed(view);
  }

  patched(patch: ViewPatch): PatchOutcome {
    const base = this.wire;
    if (!base || base.sessionId !== patch.sessionId || patch.seq <= base.seq) return { kind: 'ignored' };
    let next: SessionView | null = null;
    if (patch.from === base.seq && patch.audience === base.audience && Array.isArray(patch.ops)) {
      try {
        next = applyPatch(base, patch.ops);
      } catch {
        next = null;
      }
    }
    if (!next || next.seq !== patch.seq) {
      this.wire = null;
      return { kind: 'resync' };
    }
    this.wire = next;
    const view = this.completed(next);
    return view ? { kind: 'view', view } : { kind: 'ignored' };
  }

  private completed(view: SessionView): SessionView | null {
    let out = view;
    if (hasContext(view.snapshot) && view.snapshot.context.council === undefined) {
      if (this.council?.sessionId !== view.sessionId) return null;
      out = withCouncil(out, this.council.value);
    }
    if (view.audience === 'delegate' && !view.me) {
      // Only a delegate whose part changed receives one; an unchanged part still holds for this newer state.
      if (this.mine?.sessionId !== view.sessionId) return null;
      out = personalise(out, this.mine);
    }
    return out;
  }
}

/**
 * Whether a patch of the delegates' shared view says no more than how a vote is going: the running ballot count and,
 * in a named poll, who has cast (plus the seq and the time of the last event). Tablets need that progress, but not
 * ten times a second: the server may send it to them at a slower pace during a vote storm. Anything else a patch
 * carries (a poll opened or closed, a result, the floor) is not progress and goes out at once.
 */
export function onlyVoteProgress(ops: readonly PatchOp[]): boolean {
  return ops.every(([, path]) => isVoteProgress(path));
}

function isVoteProgress(path: readonly (string | number)[]): boolean {
  const [a, b, c, d, e] = path;
  switch (path.length) {
    case 1:
      return a === 'seq';
    case 2:
      return a === 'poll' && b === 'castCount';
    case 3:
      return (a === 'polls' && typeof b === 'number' && c === 'castCount') || (a === 'snapshot' && b === 'context' && c === 'lastEventAt');
    case 5:
      return a === 'snapshot' && b === 'context' && c === 'polls' && typeof d === 'number' && e === 'castBy';
    default:
      return false;
  }
}

/**
 * Whether the delegates' shared view of `after` can differ from that of `before` by vote progress only (what
 * `onlyVoteProgress` says of their patch), told from the two states without projecting either: while the tablets'
 * progress is held back, a publication in a vote storm need not build and diff a view it will not send. False when
 * unsure (the caller then projects and diffs): every other part of the state must be the same object — the context
 * is never changed in place (apply.ts) — and a poll may differ only in who has cast and what they chose while it is
 * open, which the shared view shows as a count (and a named poll's voters in the snapshot), never as choices.
 */
export function onlyVoteProgressBetween(before: SessionSnapshot, after: SessionSnapshot): boolean {
  if (before === after) return true;
  if (before.machine !== after.machine || before.status !== after.status || before.output !== after.output || before.error !== after.error) return false;
  if (!sameJson(before.value, after.value) || !sameShallow(before.historyValue, after.historyValue) || !sameShallow(before.children, after.children)) return false;
  const a = before.context as unknown as Record<string, unknown>;
  const b = after.context as unknown as Record<string, unknown>;
  if (!sameShallow(a, b, PROGRESS_KEYS)) return false;
  const pa = before.context.polls;
  const pb = after.context.polls;
  if (pa === pb) return true;
  if (pa.length !== pb.length) return false;
  for (let i = 0; i < pb.length; i++) {
    if (pa[i] === pb[i]) continue;
    if (pb[i]!.status !== 'open' || !sameShallow(pa[i] as unknown as Record<string, unknown>, pb[i] as unknown as Record<string, unknown>, BALLOT_KEYS)) return false;
  }
  return true;
}

const PROGRESS_KEYS = new Set(['polls', 'lastEventAt']);
const BALLOT_KEYS = new Set(['castBy', 'choices']);

/** The same keys holding the same objects (or equal primitives), `except` those keys. */
function sameShallow(a: unknown, b: unknown, except?: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in y) {
    keys++;
    if (!except?.has(k) && (!(k in x) || x[k] !== y[k])) return false;
  }
  for (const _ in x) keys--;
  return keys === 0;
}

/** A machine's state value: a small tree of strings, rebuilt with every snapshot. */
const sameJson = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
