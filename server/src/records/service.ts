/**
 * The records of sessions, read from the journal: each request derives the record by replaying the session's
 * journal onto its frozen genesis (core `deriveSessionRecord`), cached per (session, last seq) so that a public page
 * read a thousand times replays once per change. Nothing here writes a record by hand: drafts hold only the
 * secretary's free text, and approvals and follow-ups go through the session machine as journaled commands.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  SessionSetup,
  MinutesDraftText,
  commitmentsRegister,
  complianceOf,
  defaultProfile,
  type Compliance,
  type ThresholdRule,
  defaultPlace,
  deriveSessionRecord,
  documentFor,
  minutesKeys,
  publicRecord,
  vnDate,
  type Actor,
  type CommandAck,
  type Command,
  type Edition,
  type MinutesDoc,
  type MinutesApproval,
  type PersistedSession,
  type Register,
  type SessionRecordModel,
} from '@hall/core';
import { canonicalJson } from '../store/chain.ts';
import type { Catalog, Journal, SessionRecord } from '../store/types.ts';
import type { Sessions } from '../runtime/sessions.ts';

export class RecordNotFoundError extends Error {}
/** The minutes asked for do not exist (yet): no such sitting, or a secret ballot not announced. */
export class NoSuchMinutesError extends Error {}

export interface RecordsDeps {
  catalog: Catalog;
  journal: Journal;
  sessions: Sessions;
  now: () => number;
}

/** An approved minutes version as the journal records it. */
export type Approved = MinutesApproval;

const CACHE = 64;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class RecordsService {
  private readonly cache = new Map<string, { seq: number; model: SessionRecordModel }>();

  constructor(private readonly deps: RecordsDeps) {}

  /** Today in Vietnam (YYYY-MM-DD): what decides overdue commitments and written answers. */
  today(): string {
    return vnDate(this.deps.now());
  }

  async session(sessionId: string): Promise<SessionRecord> {
    const record = await this.deps.catalog.getSession(sessionId);
    if (!record) throw new RecordNotFoundError(`session ${sessionId}`);
    return record;
  }

  /** The full (internal) record of a session, derived from its journal. */
  async model(sessionId: string): Promise<SessionRecordModel> {
    const record = await this.session(sessionId);
    const seq = await this.deps.journal.lastSeq(sessionId);
    const cached = this.cache.get(sessionId);
    if (cached && cached.seq === seq) return cached.model;
    const genesis = (await this.deps.journal.loadGenesis(sessionId)) as PersistedSession | null;
    let model: SessionRecordModel;
    if (genesis) {
      model = deriveSessionRecord({ genesis }, await this.deps.journal.read(sessionId, 1));
    } else {
      // Never started: the catalog's setup is the whole record so far (its agenda is public ahead of the session).
      const council = await this.deps.catalog.getCouncil(record.councilId);
      if (!council) throw new RecordNotFoundError(`council ${record.councilId}`);
      model = deriveSessionRecord({ setup: SessionSetup.parse({ sessionId, title: record.title, council, agenda: record.agenda }) }, []);
    }
    this.cache.delete(sessionId);
    this.cache.set(sessionId, { seq, model });
    if (this.cache.size > CACHE) this.cache.delete(this.cache.keys().next().value as string);
    return model;
  }

  journalSeq(sessionId: string): Promise<number> {
    return this.deps.journal.lastSeq(sessionId);
  }

  async publicModel(sessionId: string): Promise<SessionRecordModel> {
    return publicRecord(await this.model(sessionId));
  }

  async modelFor(sessionId: string, edition: Edition): Promise<SessionRecordModel> {
    return edition === 'public' ? this.publicModel(sessionId) : this.model(sessionId);
  }

  /** The draft's free text: what the secretary saved, else defaults (names of the accounts that acted, the place). */
  async draftText(sessionId: string, key: string, model?: SessionRecordModel): Promise<{ text: MinutesDraftText; updatedAt: number | null; updatedBy: string | null }> {
    const stored = await this.deps.catalog.getMinutesDraft(sessionId, key);
    if (stored) {
      const parsed = MinutesDraftText.safeParse(stored.text);
      if (parsed.success) return { text: parsed.data, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy };
    }
    const m = model ?? (await this.model(sessionId));
    const nameOf = async (ids: string[]) => {
      const names = await Promise.all(ids.map(async (id) => (await this.deps.catalog.getAccount(id))?.displayName ?? id));
      return names.join(', ');
    };
    return {
      text: MinutesDraftText.parse({ place: defaultPlace(m.council.name), chairName: await nameOf(m.actors.chair), secretaryName: await nameOf(m.actors.secretary) }),
      updatedAt: null,
      updatedBy: null,
    };
  }

  async saveDraft(sessionId: string, key: string, text: MinutesDraftText, by: string): Promise<void> {
    await this.keyExists(sessionId, key);
    await this.deps.catalog.putMinutesDraft({ sessionId, key, text: text as never, updatedAt: this.deps.now(), updatedBy: by });
  }

  private async keyExists(sessionId: string, key: string): Promise<SessionRecordModel> {
    const model = await this.model(sessionId);
    if (!minutesKeys(model).some((k) => k.key === key)) throw new NoSuchMinutesError(key);
    return model;
  }

  /** The current draft as a document (not approved: it follows the journal and the free text). */
  async draftDocument(sessionId: string, key: string, edition: Edition): Promise<MinutesDoc> {
    const model = await this.keyExists(sessionId, key);
    const { text } = await this.draftText(sessionId, key, model);
    return documentFor(edition === 'public' ? publicRecord(model) : model, key, text, edition);
  }

  /** Approved versions of one minutes document, oldest first. */
  async approvals(sessionId: string, key: string): Promise<Approved[]> {
    return (await this.model(sessionId)).approvals.filter((a) => a.minutesKey === key);
  }

  /** An approved version's text exactly as stored (and checked against the hash the journal holds). */
  async approvedDocument(sessionId: string, key: string, version: number | 'latest', edition: Edition): Promise<{ doc: MinutesDoc; approval: Approved } | null> {
    const list = await this.approvals(sessionId, key);
    const approval = version === 'latest' ? list.at(-1) : list.find((a) => a.version === version);
    if (!approval) return null;
    const hash = edition === 'public' ? approval.publicSha256 : approval.sha256;
    const body = await this.deps.catalog.getMinutesVersion(sessionId, hash);
    if (body === null || sha256(body) !== hash) throw new Error(`minutes ${sessionId}/${key} v${approval.version}: the stored text is missing or does not match the journal's hash`);
    return { doc: JSON.parse(body) as MinutesDoc, approval };
  }

  /**
   * The chair approves the current draft: both editions are stored under their SHA-256 (written once), then
   * `minutes.approve` goes through the session machine — role-checked, journaled, hash-chained. A version taken by a
   * concurrent approval is refused by the machine (MINUTES_VERSION) and nothing is recorded.
   */
  async approve(sessionId: string, key: string, by: Actor): Promise<{ ack: CommandAck; approval: Omit<Approved, 'at' | 'by'> }> {
    const model = await this.keyExists(sessionId, key);
    const { text } = await this.draftText(sessionId, key, model);
    const internal = canonicalJson(documentFor(model, key, text, 'internal'));
    const pub = canonicalJson(documentFor(publicRecord(model), key, text, 'public'));
    const approval = {
      minutesKey: key,
      version: model.approvals.filter((a) => a.minutesKey === key).length + 1,
      sha256: sha256(internal),
      publicSha256: sha256(pub),
      throughSeq: model.throughSeq,
    };
    await this.deps.catalog.putMinutesVersion(sessionId, approval.sha256, internal);
    await this.deps.catalog.putMinutesVersion(sessionId, approval.publicSha256, pub);
    const ack = await this.submit(sessionId, 'minutes.approve', approval, by);
    return { ack, approval };
  }

  /** A command sent on behalf of a signed-in account (the register spans sessions; the console joins one). */
  async submit(sessionId: string, type: Command['type'], payload: object, by: Actor): Promise<CommandAck> {
    await this.session(sessionId);
    const command = { sessionId, commandId: `rec-${randomBytes(12).toString('base64url')}`, type, payload } as Command;
    return this.deps.sessions.submit(command, by);
  }

  /**
   * The compliance checks of a session (core `complianceOf`), against the quorum rule the session froze when it
   * opened — or the council's current one for a session never opened.
   */
  async compliance(sessionId: string): Promise<Compliance> {
    const model = await this.model(sessionId);
    const genesis = (await this.deps.journal.loadGenesis(sessionId)) as PersistedSession | null;
    const frozen = (genesis?.snapshot as { context?: { council?: { profile?: { quorumRule?: ThresholdRule } } } } | undefined)?.context?.council?.profile?.quorumRule;
    const rule = frozen ?? (await this.deps.catalog.getCouncil(model.council.id))?.profile.quorumRule ?? defaultProfile().quorumRule;
    return complianceOf(model, rule, this.today());
  }

  /** The commitments register of some councils' sessions (all of them when `councilIds` is null). */
  async register(councilIds: string[] | null, edition: Edition): Promise<Register> {
    const sessions = (await this.deps.catalog.listSessions()).filter((s) => councilIds === null || councilIds.includes(s.councilId));
    const models = await Promise.all(sessions.map((s) => this.modelFor(s.id, edition)));
    return commitmentsRegister(models, this.today());
  }
}
