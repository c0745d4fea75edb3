/**
 * The unlinkability scan of secret ballots (docs/committee-ballots.md), shared by every store's test: given every byte
 * a store and the logs hold, and the box opened with the server's own ballot secret, it lists every way a ballot could
 * be tied to a delegate or to its place in the cast order. An empty list is the pass; each negative control plants one
 * linkable record and expects it named, so the scan is known to be able to fail.
 */
import { ballotReceipt, type EncryptedBallot } from '@hall/core/ballot-crypto';
import { commandDigest } from '../../src/runtime/session-room.ts';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory.ts';
import { SecretBallots } from '../../src/ballots/secret-ballots.ts';

export interface Cast {
  delegateId: string;
  ballot: EncryptedBallot;
}

/** Some bytes the server keeps, named for the finding (a file, a Redis key, the logs). */
export interface Source {
  name: string;
  bytes: Buffer;
}

interface Fingerprint {
  what: string;
  bytes: Buffer;
}

/**
 * Every byte of a ballot in every form a store or a log could hold it: each 32-byte field (ciphertext parts, proof
 * scalars) as hex, base64, base64url and raw bytes, the receipt, and the digest a retry would be recognised by if it
 * were computed over the ciphertexts (the board would then match it to the voter).
 */
function fingerprints(pollId: string, ballot: EncryptedBallot): Fingerprint[] {
  const out: Fingerprint[] = [];
  for (const hex of new Set(JSON.stringify(ballot).match(/[0-9a-f]{64}/g) ?? [])) {
    const raw = Buffer.from(hex, 'hex');
    out.push({ what: `field ${hex.slice(0, 8)}… (hex)`, bytes: Buffer.from(hex) });
    out.push({ what: `field ${hex.slice(0, 8)}… (base64)`, bytes: Buffer.from(raw.toString('base64')) });
    out.push({ what: `field ${hex.slice(0, 8)}… (base64url)`, bytes: Buffer.from(raw.toString('base64url')) });
    out.push({ what: `field ${hex.slice(0, 8)}… (raw)`, bytes: raw });
  }
  out.push({ what: 'receipt', bytes: Buffer.from(ballotReceipt(ballot)) });
  out.push({ what: 'digest of the ciphertexts', bytes: Buffer.from(commandDigest('ballot.castEncrypted', { pollId, ballot }, false)) });
  return out;
}

/** Sources holding any byte of any ballot: none may, since every one of them also names delegates or is readable with the secret. */
export function ballotBytesIn(sources: readonly Source[], pollId: string, cast: readonly Cast[]): string[] {
  const found: string[] = [];
  for (const [i, { ballot }] of cast.entries()) {
    for (const f of fingerprints(pollId, ballot)) {
      for (const s of sources) if (s.bytes.includes(f.bytes)) found.push(`${s.name} holds the ${f.what} of ballot ${i}`);
    }
  }
  return found;
}

/** A box's stored text opened with the ballot secret, exactly as the server would (a throwaway memory store holds it). */
export async function openBox(text: string, pollKey: string, secret: string): Promise<{ sealed: string[]; contents: unknown[] }> {
  const backing = createMemoryBacking();
  backing.ballots.set(pollKey, text);
  const contents = await new SecretBallots(createMemoryStore(backing).ballots, secret).contents(pollKey);
  return { sealed: (JSON.parse(text) as { sealed: string[] }).sealed, contents };
}

/**
 * What the opened box may hold: `keys` per entry and nothing else — no delegate id, nothing that looks like a time
 * (a number of 10 digits or more: seconds or milliseconds since 1970) — and sealed strings all of one length.
 */
export function boxProblems(box: { sealed: string[]; contents: unknown[] }, keys: readonly string[], names: readonly string[]): string[] {
  const found: string[] = [];
  for (const [i, entry] of box.contents.entries()) {
    const text = JSON.stringify(entry);
    const own = entry !== null && typeof entry === 'object' ? Object.keys(entry).sort() : [typeof entry];
    if (JSON.stringify(own) !== JSON.stringify([...keys].sort())) found.push(`box entry ${i} has fields ${own.join(',')}`);
    for (const name of names) if (text.includes(name)) found.push(`box entry ${i} names ${name}`);
    if (/(^|[^0-9a-f])\d{10,}(?![0-9a-f])/.test(text)) found.push(`box entry ${i} holds a time-like number`);
  }
  if (new Set(box.sealed.map((s) => s.length)).size > 1) found.push('the sealed ballots differ in size');
  return found;
}

/** The journal's cast records say who cast and nothing else. */
export function castRecordProblems(events: readonly Record<string, unknown>[]): string[] {
  return events.filter((e) => e.type === 'ballot.cast').flatMap((e, i) => (JSON.stringify(Object.keys(e).sort()) === '["at","by","pollId","type"]' ? [] : [`cast record ${i} holds ${Object.keys(e).join(',')}`]));
}

/**
 * The box as stored after each cast (`states[i]`: after cast i, its entries' identities in stored order), against
 * the cast order (`castOrder`): a box that keeps the cast order, always puts the newest ballot in the same place, or
 * keeps a sealed string from one write to the next (so a diff names the newest), gives the order away. With 8 casts an
 * honest shuffle is flagged with a probability below 1/20 000.
 */
export function castOrderProblems(states: readonly { sealed: string[]; order: string[] }[], castOrder: readonly string[]): string[] {
  const found: string[] = [];
  const grown = states.slice(1);
  if (grown.length > 0 && grown.every((s, i) => JSON.stringify(s.order) === JSON.stringify(castOrder.slice(0, i + 2)))) found.push('the box keeps the cast order');
  const newest = grown.map((s, i) => s.order.indexOf(castOrder[i + 1]!));
  if (grown.length > 0 && newest.every((p, i) => p === grown[i]!.order.length - 1)) found.push('the newest ballot is always last');
  if (grown.length > 0 && newest.every((p) => p === 0)) found.push('the newest ballot is always first');
  for (const [i, s] of states.slice(1).entries()) {
    const before = new Set(states[i]!.sealed);
    if (s.sealed.some((x) => before.has(x))) found.push(`write ${i + 1} kept a sealed ballot of the write before`);
  }
  return found;
}

export const receiptsOf = (contents: readonly unknown[]) => contents.map((c) => ballotReceipt(c as EncryptedBallot));

/**
 * A Redis stream's entry ids must be the journal's record numbers (`<seq>-1`, 1, 2, 3…), which say no more than the
 * journal itself. An id Redis assigns (`*`) is the write's millisecond time, and a stream written once per ballot would
 * give the cast order and times of the box's writes.
 */
export function streamIdProblems(key: string, ids: readonly string[]): string[] {
  const found: string[] = [];
  for (const [i, id] of ids.entries()) {
    if (id !== `${i + 1}-1`) {
      found.push(`stream ${key} entry ${i} has id ${id}, not record ${i + 1}`);
      break;
    }
  }
  return found;
}
