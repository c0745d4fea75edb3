/**
 * Secret ballot contents at rest (DESIGN.md §4). The journal only says who cast (`ballot.cast {pollId, by}`); what
 * they chose lives here, sealed with a per-poll key, with no delegate id, no time and no order — no method takes or
 * returns a delegate id, and nothing here logs or puts a content into an error message.
 *
 * Crash consistency with the journal (the runtime's order for one cast):
 *   1. `cast(pollKey, content)` — writes the box with the new ballot as `pending`, the previous pending folded into
 *      `sealed`; resolves when durable.
 *   2. the runtime appends `ballot.cast` to the journal, then acks.
 *   If 2 fails (or the process dies between 1 and 2), the pending ballot was never acknowledged: the runtime calls
 *   `recover(pollKey, journaledCasts)`, which drops it. After a restart, `recover` reconciles every open box the
 *   same way before anything else touches it.
 *
 * Every write re-wraps the key and re-seals every ballot with fresh nonces, and shuffles, so two successive versions
 * of a box share no byte sequence and their order says nothing. In memory, a poll's plaintexts are one shuffled
 * array (plus the single pending ballot, which the runtime knows the caster of anyway until the next cast).
 */
import type { BallotBoxStore, Json, SealedBox } from '../store/types.ts';
import { KeyedQueue } from '../store/queue.ts';
import { assertPollKey } from '../store/validate.ts';
import {
  decodeBallot,
  deriveWrappingKey,
  encodeBallot,
  newPollCipherKey,
  paddedSize,
  sealBallot,
  shuffle,
  unsealBallot,
  unwrapPollCipherKey,
  wrapPollCipherKey,
} from './sealing.ts';

interface PollState {
  key: Buffer;
  /** Confirmed ballots (their `ballot.cast` is journaled), encoded, shuffled. */
  ballots: Buffer[];
  /** The latest ballot, whose `ballot.cast` may not be journaled yet. */
  pending: Buffer | null;
}

export class SecretBallots {
  // Private fields: util.inspect / a logger serialising this object shows none of them.
  readonly #store: BallotBoxStore;
  readonly #wrappingKey: Buffer;
  readonly #polls = new Map<string, PollState>();
  readonly #queue = new KeyedQueue();

  constructor(store: BallotBoxStore, ballotSecret: string) {
    // Strength policy (minimum length, demo warnings) belongs to config; here only "there is one".
    if (typeof ballotSecret !== 'string' || ballotSecret.length === 0) throw new TypeError('ballot secret must be a non-empty string');
    this.#store = store;
    this.#wrappingKey = deriveWrappingKey(ballotSecret);
  }

  /** Creates the poll's key and an empty box. Idempotent: an existing box is kept (and its key checked). */
  open(pollKey: string): Promise<void> {
    return this.#run(pollKey, async () => {
      if (this.#polls.has(pollKey)) return;
      const box = await this.#store.load(pollKey);
      if (box) {
        const state = this.#unpack(pollKey, box);
        // A box with a pending ballot waits for recover(): only the journal knows whether to count it.
        if (state.pending) this.#wipe(state);
        else this.#polls.set(pollKey, state);
        return;
      }
      const state: PollState = { key: newPollCipherKey(), ballots: [], pending: null };
      await this.#persist(pollKey, state);
      this.#polls.set(pollKey, state);
    });
  }

  /** Records one ballot; resolves when it is durable (as `pending`). Then journal `ballot.cast`, then ack. */
  cast(pollKey: string, content: Json): Promise<void> {
    return this.#run(pollKey, async () => {
      const encoded = encodeBallot(content);
      const state = await this.#state(pollKey);
      const next: PollState = {
        key: state.key,
        ballots: shuffle(state.pending ? [...state.ballots, state.pending] : [...state.ballots]),
        pending: encoded,
      };
      await this.#persistOrForget(pollKey, next);
      this.#polls.set(pollKey, next);
    });
  }

  /**
   * Reconciles the box with the journal's count of `ballot.cast` for this poll, after a restart or a failed append:
   * sealed + pending = journaled → the pending one was journaled, keep it; sealed = journaled → it was not, drop it.
   * Anything else is a box that disagrees with the legal record, and throws.
   */
  recover(pollKey: string, journaledCasts: number): Promise<void> {
    return this.#run(pollKey, async () => {
      if (!Number.isInteger(journaledCasts) || journaledCasts < 0) throw new TypeError('journaledCasts must be an integer ≥ 0');
      this.#forget(pollKey);
      const box = await this.#store.load(pollKey);
      if (!box) {
        if (journaledCasts > 0) throw new Error(`ballot box ${pollKey} inconsistent: missing, but ${journaledCasts} casts are journaled`);
        const fresh: PollState = { key: newPollCipherKey(), ballots: [], pending: null };
        await this.#persist(pollKey, fresh);
        this.#polls.set(pollKey, fresh);
        return;
      }
      const state = this.#unpack(pollKey, box);
      const sealed = state.ballots.length;
      const pending = state.pending ? 1 : 0;
      let resolved: PollState;
      if (sealed + pending === journaledCasts) {
        resolved = { key: state.key, ballots: shuffle(state.pending ? [...state.ballots, state.pending] : state.ballots), pending: null };
      } else if (pending === 1 && sealed === journaledCasts) {
        state.pending?.fill(0);
        resolved = { key: state.key, ballots: state.ballots, pending: null };
      } else {
        this.#wipe(state);
        throw new Error(
          `ballot box ${pollKey} inconsistent: ${sealed} sealed${pending ? ' + 1 pending' : ''} ballots, but ${journaledCasts} casts are journaled`,
        );
      }
      // Rewrite so that a later load never meets the settled pending ballot again.
      if (pending) await this.#persistOrForget(pollKey, resolved);
      this.#polls.set(pollKey, resolved);
    });
  }

  /** Every ballot's content (pending included), in random order, for the count at close. */
  contents(pollKey: string): Promise<Json[]> {
    return this.#run(pollKey, async () => {
      const state = await this.#state(pollKey);
      const all = state.pending ? [...state.ballots, state.pending] : [...state.ballots];
      return shuffle(all.map(decodeBallot));
    });
  }

  count(pollKey: string): Promise<number> {
    return this.#run(pollKey, async () => {
      const state = await this.#state(pollKey);
      return state.ballots.length + (state.pending ? 1 : 0);
    });
  }

  /** Forgets the key and destroys the box — after the announcement, like burning the counted paper ballots. Idempotent. */
  destroy(pollKey: string): Promise<void> {
    return this.#run(pollKey, async () => {
      this.#forget(pollKey);
      await this.#store.destroy(pollKey);
    });
  }

  #run<T>(pollKey: string, task: () => Promise<T>): Promise<T> {
    try {
      assertPollKey(pollKey);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#queue.run(pollKey, task);
  }

  async #state(pollKey: string): Promise<PollState> {
    const known = this.#polls.get(pollKey);
    if (known) return known;
    const box = await this.#store.load(pollKey);
    if (!box) throw new Error(`ballot box ${pollKey} does not exist (never opened, or already destroyed)`);
    const state = this.#unpack(pollKey, box);
    if (state.pending) {
      this.#wipe(state);
      throw new Error(`ballot box ${pollKey} holds a ballot not yet reconciled with the journal; call recover() first`);
    }
    this.#polls.set(pollKey, state);
    return state;
  }

  #unpack(pollKey: string, box: SealedBox): PollState {
    const key = unwrapPollCipherKey(this.#wrappingKey, pollKey, box.wrappedKey);
    try {
      return {
        key,
        ballots: shuffle(box.sealed.map((s) => unsealBallot(key, pollKey, s))),
        pending: box.pending === undefined ? null : unsealBallot(key, pollKey, box.pending),
      };
    } catch (err) {
      key.fill(0);
      throw err;
    }
  }

  async #persist(pollKey: string, state: PollState): Promise<void> {
    const all = state.pending ? [...state.ballots, state.pending] : state.ballots;
    const size = paddedSize(Math.max(0, ...all.map((b) => b.length)));
    const box: SealedBox = {
      wrappedKey: wrapPollCipherKey(this.#wrappingKey, pollKey, state.key),
      sealed: shuffle(state.ballots.map((b) => sealBallot(state.key, pollKey, b, size))),
    };
    if (state.pending) box.pending = sealBallot(state.key, pollKey, state.pending, size);
    await this.#store.save(pollKey, box);
  }

  /** A failed write may or may not have landed; memory must not claim either, so the next use reloads from the store. */
  async #persistOrForget(pollKey: string, state: PollState): Promise<void> {
    try {
      await this.#persist(pollKey, state);
    } catch (err) {
      this.#forget(pollKey);
      throw err;
    }
  }

  #forget(pollKey: string): void {
    const state = this.#polls.get(pollKey);
    if (state) this.#wipe(state);
    this.#polls.delete(pollKey);
  }

  /** Best effort: JS cannot promise no copy survives, but the buffers we own need not. */
  #wipe(state: PollState): void {
    state.key.fill(0);
    for (const b of state.ballots) b.fill(0);
    state.pending?.fill(0);
  }
}
