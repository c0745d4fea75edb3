/**
 * The session machine (docs/architecture.md). Top level: scheduled → checkIn → inProgress ⇄ recess → adjourned, with
 * `sitting.begin` taking a recessed session back to a fresh roll call. `inProgress` runs five parallel regions.
 *
 * Every transition has the one guard `allowed` (the law, in guards.ts) and the one action `apply` (apply.ts), so the
 * machine contributes *where* an event may happen and the plain functions contribute *whether* and *what*. An event
 * changes context exactly once: it is declared either on `inProgress` (no region change) or on the one region state
 * whose state it changes; consequences in another region follow context through `always` transitions.
 */
import { assign, setup } from 'xstate';
import type { SessionSetup } from '../model.ts';
import type { MachineEvent } from '../protocol/commands.ts';
import { apply } from './apply.ts';
import { initialContext, type SessionContext } from './context.ts';
import { findPoll, refusal, tooFewSecretBallots } from './guards.ts';
import { isCommitteePoll } from './committee-poll.ts';

/** Bump when the context shape or the state tree changes; persisted snapshots of another version are migrated or refused. */
export const MACHINE_VERSION = 1;

const go = (target?: string) => ({ guard: 'allowed' as const, actions: 'apply' as const, ...(target ? { target } : {}) });
const stay = go();

/** Paperwork that may happen whatever the hall is doing: questions before the session, written answers after it. */
const paperwork = {
  'question.submit': stay,
  'question.withdraw': stay,
  'question.markWritten': stay,
  'question.writtenAnswered': stay,
  'questioning.addGroup': stay,
  'commitment.record': stay,
  'commitment.update': stay,
  'counting.setCommittee': stay,
  'minutes.approve': stay,
} as const;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as MachineEvent,
    input: {} as SessionSetup,
  },
  guards: {
    allowed: ({ context, event }) => refusal(context, event) === null,
    deadlineCancels: ({ context, event }) => {
      if (event.type !== 'poll.deadline' || refusal(context, event) !== null) return false;
      const poll = findPoll(context, event.pollId);
      return poll !== undefined && tooFewSecretBallots(context, poll);
    },
    // A committee poll stays open from its close until its committee has decrypted enough to count it.
    committeeDecrypts: ({ context, event }) =>
      (event.type === 'poll.close' || event.type === 'poll.deadline') && refusal(context, event) === null && isCommitteePoll(findPoll(context, event.pollId)),
    committeeCounts: ({ context, event }) => event.type === 'committee.decrypt' && event.counts !== undefined && refusal(context, event) === null,
    revoteJustCancelled: ({ context, event }) => {
      if (event.type !== 'poll.announce' && event.type !== 'poll.revote') return false;
      const last = context.polls.at(-1);
      return last?.status === 'cancelled' && last.revoteOf === event.pollId && refusal(context, event) === null;
    },
    onAir: ({ context }) => context.broadcast.onAir,
    offAir: ({ context }) => !context.broadcast.onAir,
  },
  actions: {
    apply: assign(({ context, event }) => apply(context, event)),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => initialContext(input),
  initial: 'scheduled',
  states: {
    scheduled: {
      on: {
        ...paperwork,
        'session.openCheckIn': go('checkIn'),
        'attendance.set': stay,
        'sitting.setClosed': stay,
        'agenda.goTo': stay,
      },
    },
    checkIn: {
      on: {
        ...paperwork,
        'attendance.checkIn': stay,
        'attendance.set': stay,
        'sitting.setClosed': stay,
        'agenda.goTo': stay,
        // Through the history node: the first sitting enters every region's initial state; a later sitting (after
        // sitting.begin) carries on where the last one stopped, so a counted poll can still be announced and an open
        // question group still closed (its unreached questions then go to written answers).
        'session.start': go('inProgress.resume'),
        'session.adjourn': go('adjourned'),
      },
    },
    inProgress: {
      type: 'parallel',
      on: {
        ...paperwork,
        'attendance.checkIn': stay,
        'attendance.set': stay,
        'sitting.setClosed': stay,
        'agenda.goTo': stay,
        'floor.request': stay,
        'floor.withdraw': stay,
        'floor.deny': stay,
        'floor.reorder': stay,
        'session.recess': go('recess'),
        'session.adjourn': go('adjourned'),
      },
      states: {
        floor: {
          initial: 'idle',
          states: {
            idle: {
              on: {
                'floor.grant': go('speaking'),
                'floor.give': go('speaking'),
                'questioning.call': go('speaking'),
                'questioning.answer': go('speaking'),
                'questioning.debate': go('speaking'),
                'questioning.opening': go('speaking'),
              },
            },
            speaking: {
              on: {
                'floor.extend': stay,
                'floor.timeUp': stay,
                'floor.stop': go('idle'),
                'floor.yield': go('idle'),
              },
            },
          },
        },
        voting: {
          initial: 'idle',
          states: {
            idle: {
              on: {
                'poll.open': go('open'),
                // Right after a cancelled re-vote, the round it was to replace still stands: it is announced or
                // voted again from here (a counted round would otherwise be stuck, never announced).
                'poll.announce': { ...go('announced'), guard: 'revoteJustCancelled' as const },
                'poll.revote': { ...go('open'), guard: 'revoteJustCancelled' as const },
              },
            },
            open: {
              on: {
                'ballot.cast': stay,
                'ballot.retract': stay,
                'poll.close': [{ ...stay, guard: 'committeeDecrypts' as const }, go('counted')],
                // A secret poll below the council's minimum is cancelled by its deadline instead of counted.
                'poll.deadline': [{ ...go('idle'), guard: 'deadlineCancels' as const }, { ...stay, guard: 'committeeDecrypts' as const }, go('counted')],
                'committee.commit': stay,
                'committee.deal': stay,
                'committee.complain': stay,
                'committee.decrypt': [{ ...go('counted'), guard: 'committeeCounts' as const }, stay],
                'poll.cancel': go('idle'),
              },
            },
            counted: { on: { 'poll.announce': go('announced'), 'poll.revote': go('open') } },
            announced: { on: { 'poll.open': go('open'), 'poll.revote': go('open') } },
          },
        },
        questioning: {
          initial: 'idle',
          states: {
            idle: { on: { 'questioning.openGroup': go('active') } },
            active: { on: { 'questioning.closeGroup': go('idle') } },
          },
        },
        broadcast: {
          initial: 'offAir',
          states: {
            offAir: { always: { guard: 'onAir', target: 'onAir' }, on: { 'broadcast.start': go('onAir') } },
            // A closed sitting (or anything else that clears the flag) takes the broadcast off air.
            onAir: { always: { guard: 'offAir', target: 'offAir' }, on: { 'broadcast.stop': go('offAir') } },
          },
        },
        resume: { type: 'history', history: 'deep' },
      },
    },
    recess: {
      on: {
        ...paperwork,
        'attendance.checkIn': stay,
        'attendance.set': stay,
        'sitting.setClosed': stay,
        'session.resume': go('inProgress.resume'),
        'sitting.begin': go('checkIn'),
        'session.adjourn': go('adjourned'),
      },
    },
    // The hall is closed but the record is not: written answers, commitments and their follow-up, the counting
    // committee (entered after the count) and the approval of minutes (days after the session) still go in the journal.
    adjourned: {
      on: {
        'question.markWritten': stay,
        'question.writtenAnswered': stay,
        'commitment.record': stay,
        'commitment.update': stay,
        'counting.setCommittee': stay,
        'minutes.approve': stay,
      },
    },
  },
});

export type SessionMachine = typeof sessionMachine;
