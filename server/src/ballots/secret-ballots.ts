/**
 * Secret ballot contents at rest (docs/architecture.md). The journal only says who cast (`ballot.cast {pollId, by}`); what
 * they chose lives here, sealed with a per-poll key, with no delegate id, no time and no order — no method takes or
 * returns a delegate id, and nothing here logs or puts a content into an error message.
 *
 * Crash consistency with the journal (the runtime's order for one cast, or for the casts of one poll that waited
 * together — journal FIRST):
 *   1. the runtime appends the `ballot.cast` records to the journal in one append (eligibility: who cast, never what);
 *   2. `addAll(pollKey, contents)` rewrites the box with the new ballots among the others, shuffled, every ballot
 *      re-sealed with a fresh nonce; one write, so all of them land or none; resolves when durable;
 *   3. only then the acks.
 *   If 2 fails (or the process dies between 1 and 2), the box lacks exactly the casts of the last append, which are the
 *   poll's last journaled casts (the runtime applies one append at a time and settles a failed write before anything
 *   else is journaled). The runtime calls `reconcile(pollKey, journaledCasts, fence, lastGroup)`, learns how many are
 *   missing, and journals `ballot.retract` for those casts: their delegates were never told they were recorded and may
 *   vote again. So the box never needs a slot that marks its newest ballots — the "pending" slot of earlier versions
 *   did, and with the ballot secret and copies of the store taken over time it linked every voter to the journal's
 *   order. The other order (box first) would be worse: a crash after the box write leaves ballots no journal record
 *   vouches for, and a box without order cannot say which ones to take out.
 *
 * What remains (docs/SECURITY.md): each write rewrites the box, so someone holding the ballot secret AND a copy of the
 * box before and after one write (backups, an AOF, disk blocks) can diff the two plaintext multisets — for a group,
 * the multiset of the group's choices, which the journal's one append links to the group's voters as a whole only. Only encryption
 * on the tablet to a key the server never holds closes that.
 */
import type { BallotBoxStore, Fence, Json, SealedBox } from '../store/types.ts';
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
  /** Every ballot in the box, encoded, shuffled. */
  ballots: Buffer[];
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
  open(pollKey: string, fence?: Fence): Promise<void> {
    return this.#run(pollKey, async () => {
      if (this.#polls.has(pollKey)) return;
      const box = await this.#store.load(pollKey);
      if (box) {
        const state = this.#unpack(pollKey, box);
        // A legacy box with a pending ballot waits for reconcile(): only the journal knows whether to count it.
        if (box.pending !== undefined) this.#wipe(state);
        else this.#polls.set(pollKey, state);
        return;
      }
      const state: PollState = { key: newPollCipherKey(), ballots: [] };
      await this.#persist(pollKey, state, fence);
      this.#polls.set(pollKey, state);
    });
  }

  /** Puts one ballot in the box; resolves when durable. Its `ballot.cast` is already journaled; the ack comes next. */
  add(pollKey: string, content: Json, fence?: Fence): Promise<void> {
    return this.addAll(pollKey, [content], fence);
  }

  /**
   * Puts the ballots of one journal append in the box in ONE write (all or none), shuffled among the others like a
   * single ballot; resolves when durable. Their `ballot.cast` records are already journaled; the acks come next.
   */
  addAll(pollKey: string, contents: Json[], fence?: Fence): Promise<void> {
    return this.#run(pollKey, async () => {
      const encoded = contents.map(encodeBallot);
      const state = await this.#state(pollKey);
      const next: PollState = { key: state.key, ballots: shuffle([...state.ballots, ...encoded]) };
      await this.#persistOrForget(pollKey, next, fence);
      this.#polls.set(pollKey, next);
    });
  }

  /**
   * Compares the box, read afresh from the store, with the journal's count of `ballot.cast` for this poll (after a
   * restart, or after a failed write) and resolves with how many of the last journaled casts the box lacks: 0, or up
   * to `lastGroup` — the casts of the last journal append, whose box write may not have landed (the caller retracts
   * them). Anything else is a box that disagrees with the legal record, and throws. A legacy box with a pending ballot
   * is settled first (counted if journaled, else dropped).
   */
  reconcile(pollKey: string, journaledCasts: number, fence?: Fence, lastGroup = 1): Promise<number> {
    return this.#run(pollKey, async () => {
      if (!Number.isInteger(journaledCasts) || journaledCasts < 0) throw new TypeError('journaledCasts must be an integer ≥ 0');
      if (!Number.isInteger(lastGroup) || lastGroup < 1) throw new TypeError('lastGroup must be an integer ≥ 1');
      this.#forget(pollKey);
      const box = await this.#store.load(pollKey);
      if (!box) {
        if (journaledCasts > lastGroup) throw new Error(`ballot box ${pollKey} inconsistent: missing, but ${journaledCasts} casts are journaled`);
        const fresh: PollState = { key: newPollCipherKey(), ballots: [] };
        await this.#persist(pollKey, fresh, fence);
        this.#polls.set(pollKey, fresh);
        return journaledCasts;
      }
      let state = this.#unpack(pollKey, box);
      if (box.pending !== undefined) {
        const pending = unsealBallot(state.key, pollKey, box.pending);
        if (state.ballots.length + 1 === journaledCasts) state = { key: state.key, ballots: shuffle([...state.ballots, pending]) };
        else pending.fill(0);
        await this.#persistOrForget(pollKey, state, fence);
      }
      const held = state.ballots.length;
      if (held > journaledCasts || held < journaledCasts - lastGroup) {
        this.#wipe(state);
        throw new Error(`ballot box ${pollKey} inconsistent: ${held} sealed ballots, but ${journaledCasts} casts are journaled`);
      }
      this.#polls.set(pollKey, state);
      return journaledCasts - held;
    });
  }

  /** Every ballot's content, in random order, for the count at close. */
  contents(pollKey: string): Promise<Json[]> {
    return this.#run(pollKey, async () => shuffle((await this.#state(pollKey)).ballots.map(decodeBallot)));
  }

  count(pollKey: string): Promise<number> {
    return this.#run(pollKey, async () => (await this.#state(pollKey)).ballots.length);
  }

  /** Forgets the key and destroys the box — after the announcement, like burning the counted paper ballots. Idempotent. */
  destroy(pollKey: string, fence?: Fence): Promise<void> {
    return this.#run(pollKey, async () => {
      this.#forget(pollKey);
      await this.#store.destroy(pollKey, fence);
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
    if (box.pending !== undefined) {
      this.#wipe(state);
      throw new Error(`ballot box ${pollKey} holds a ballot not yet reconciled with the journal; call reconcile() first`);
    }
    this.#polls.set(pollKey, state);
    return state;
  }

  #unpack(pollKey: string, box: SealedBox): PollState {
    const key = unwrapPollCipherKey(this.#wrappingKey, pollKey, box.wrappedKey);
    try {
      return { key, ballots: shuffle(box.sealed.map((s) => unsealBallot(key, pollKey, s))) };
    } catch (err) {
      key.fill(0);
      throw err;
    }
  }

  async #persist(pollKey: string, state: PollState, fence: Fence | undefined): Promise<void> {
    const size = paddedSize(Math.max(0, ...state.ballots.map((b) => b.length)));
    const box: SealedBox = {
      wrappedKey: wrapPollCipherKey(this.#wrappingKey, pollKey, state.key),
      sealed: shuffle(state.ballots.map((b) => sealBallot(state.key, pollKey, b, size))),
    };
    await this.#store.save(pollKey, box, fence);
  }

  /** A failed write may or may not have landed; memory must not claim either, so the next use reloads from the store. */
  async #persistOrForget(pollKey: string, state: PollState, fence: Fence | undefined): Promise<void> {
    try {
      await this.#persist(pollKey, state, fence);
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
  }
}
