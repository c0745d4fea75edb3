/**
 * How views travel after the join answer. A join answers with a complete view; after that the server pushes, per
 * publication:
 *  - to staff, the wall and the public: their view, as before;
 *  - to the delegates of a session: ONE shared view (no `me`, no `mine`) for the whole hall, plus, before it and only
 *    to a delegate whose own part changed, that delegate's `PersonalView`.
 * and every pushed snapshot leaves out the council, which is frozen at seq 0 and already came with the join answer.
 *
 * Why: a province hall has 85 tablets; when each tablet's view carried the whole redacted snapshot, one ballot cost 85
 * encodings of ~25 KB. Now it costs one encoding of the shared view plus the voter's own few hundred bytes.
 *
 * `ViewAssembler` is the receiving end every client uses (the apps' HallClient, the bots, the tests), so a pushed
 * view is completed by the same code everywhere.
 */
import { personalise, type PersonalView, type SessionView } from './project.ts';

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
 * Completes pushed views. Feed it every join answer (`complete`), pushed view (`pushed`) and personal part
 * (`personal`) of one connection; `pushed` returns the complete view to show, or null when it cannot be completed
 * (nothing from this session's join answer yet — the join answer about to arrive carries the whole state anyway).
 */
export class ViewAssembler {
  private council: { sessionId: string; value: unknown } | null = null;
  private mine: PersonalView | null = null;

  /** A join answer: complete by construction; remembered as the source of the council and the personal part. */
  complete(view: SessionView): SessionView {
    const council = councilOf(view);
    if (council !== undefined) this.council = { sessionId: view.sessionId, value: council };
    const personal = personalFrom(view);
    if (personal) this.mine = personal;
    return view;
  }

  /** A delegate's own part, pushed before the shared view it belongs with. */
  personal(part: PersonalView): void {
    if (this.mine && this.mine.sessionId === part.sessionId && part.seq < this.mine.seq) return;
    this.mine = part;
  }

  pushed(view: SessionView): SessionView | null {
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
