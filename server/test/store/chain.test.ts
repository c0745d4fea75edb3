import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { GENESIS_HASH, canonicalJson, chainHash, encodeBatch, parseRecordLine, scanLines } from '../../src/store/chain.ts';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('chain', () => {
  it('[CHAIN-1] canonical JSON sorts keys at every depth, drops undefined properties, keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, 'á': 'ạ' })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"á":"ạ"}');
    expect(canonicalJson('dòng 1\ndòng 2')).toBe('"dòng 1\\ndòng 2"');
    expect(canonicalJson(-0)).toBe('0');
  });

  it('[CHAIN-2] canonical JSON refuses what JSON would silently change, naming the path but not the value', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/\$\.a/);
    expect(() => canonicalJson({ when: new Date() })).toThrow(/not a plain object at \$\.when/);
    expect(() => canonicalJson([1, undefined])).toThrow(/\$\[1\]/);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => canonicalJson([1, , 3])).toThrow();
    expect(() => canonicalJson({ n: 10n })).toThrow(/bigint/);
    expect(() => canonicalJson({ secret: 'lựa chọn', f: () => 1 })).toThrow(/^(?!.*lựa chọn)/);
  });

  it('[CHAIN-3] the hash is sha256(prevHash + canonical {seq, at, commandId?, event})', () => {
    expect(chainHash(GENESIS_HASH, { seq: 1, at: 5, event: { b: 2, a: 1 } })).toBe(sha(`${GENESIS_HASH}{"at":5,"event":{"a":1,"b":2},"seq":1}`));
    expect(chainHash('ab'.repeat(32), { seq: 2, at: 6, commandId: 'c', event: null })).toBe(sha(`${'ab'.repeat(32)}{"at":6,"commandId":"c","event":null,"seq":2}`));
    expect(chainHash(GENESIS_HASH, { seq: 1, at: 5, commandId: undefined, event: 1 })).toBe(chainHash(GENESIS_HASH, { seq: 1, at: 5, event: 1 }));
  });

  it('[CHAIN-4] encoded batches scan back; a reordered or edited line is named', () => {
    const a = encodeBatch(0, GENESIS_HASH, [{ at: 1, event: { n: 1 } }, { at: 2, commandId: 'x', event: { n: 2 } }]);
    const b = encodeBatch(a.lastSeq, a.lastHash, [{ at: 3, event: { n: 3 } }]);
    const lines = [...a.lines, ...b.lines];
    const scan = scanLines(lines);
    expect(scan.problem).toBeUndefined();
    expect(scan.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(scanLines([lines[1]!, lines[0]!, lines[2]!]).problem?.seq).toBe(1);
    expect(scanLines([lines[0]!, lines[1]!.replace('"n":2', '"n":5'), lines[2]!]).problem).toMatchObject({ seq: 2, reason: expect.stringMatching(/hash/) });
  });
  it('[CHAIN-5] a line is hashed by its own bytes only when they are the canonical encoding; any other spelling verifies as before', () => {
    const plain = { type: 'note', list: [{ y: 1, x: -0 }], text: 'dòng "1"' };
    const integerKeys = { type: 'note', '10': 'a', '9': 'b' };
    for (const event of [plain, integerKeys]) {
      const line = encodeBatch(0, GENESIS_HASH, [{ at: 7, commandId: 'c1', event }]).lines[0]!;
      expect(parseRecordLine(line, 1, GENESIS_HASH)).toMatchObject({ ok: true, record: { seq: 1, at: 7, commandId: 'c1', event: JSON.parse(JSON.stringify(event)) } });
      const record = JSON.parse(line) as Record<string, unknown>;
      const canonicalHash = record.hash as string;

      // Other spellings of the same record (whitespace, key order, an ignored extra field, a number) verify against the canonical hash.
      const respelled = [
        JSON.stringify(record, null, 1),
        JSON.stringify({ seq: 1, hash: canonicalHash, prevHash: GENESIS_HASH, event, commandId: 'c1', at: 7 }),
        JSON.stringify({ ...record, zzz: 1 }),
        line.replace('"at":7', '"at":7.0'),
        event === integerKeys ? line.replace('"10":"a","9":"b"', '"9":"b","10":"a"') : line.replace('"x":0,"y":1', '"y":1,"x":0'),
      ];
      for (const text of respelled) {
        expect(text).not.toBe(line);
        expect(parseRecordLine(text, 1, GENESIS_HASH), text).toMatchObject({ ok: true, record: { hash: canonicalHash } });
      }

      // A line whose hash covers its own non-canonical bytes is refused, exactly as when every record was re-encoded.
      const selfHashed = (text: string) => {
        const body = `${text.slice(0, text.indexOf(',"hash":'))},"seq":1}`;
        return text.replace(canonicalHash, sha(GENESIS_HASH + body));
      };
      for (const text of respelled.slice(3).map(selfHashed)) {
        expect(parseRecordLine(text, 1, GENESIS_HASH), text).toEqual({ ok: false, reason: 'hash does not match the content' });
      }
    }
  });
});
