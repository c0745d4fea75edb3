/**
 * A structural diff of JSON-shaped values, and its application: what a view patch carries (views/wire.ts).
 *
 * Why not a JSON-Patch library: the values diffed here are what the server is about to encode, not JSON yet, so the
 * diff must follow JSON's rules (a key holding `undefined` is absent, an `undefined` array slot is `null`) or a
 * client holding the decoded view would be told to replace a key it never received; and the lists that change in a
 * vote storm (who has not voted, who has cast) lose or gain an element in the middle, which an index-by-index diff
 * turns into a rewrite of the whole tail, while one splice says it.
 *
 * Cost: the diff stops at values that are the same object (the machine's context is shared between states, so most
 * of a snapshot is skipped by reference) and otherwise walks what it compares once or twice. Application copies only
 * the objects on the paths it changes, so everything else of the previous view is shared with the next one.
 */

export type PatchPath = (string | number)[];

/**
 * One change: `['s', path, value]` sets a key or an array slot, `['d', path]` deletes a key, and
 * `['a', path, start, deleteCount, items]` splices the array at `path`.
 */
export type PatchOp = ['s', PatchPath, unknown] | ['d', PatchPath] | ['a', PatchPath, number, number, unknown[]];

/** A patch that does not fit the value it is applied to (the value is not the one it was computed from). */
export class PatchMismatch extends Error {
  constructor(message: string) {
    super(`patch mismatch: ${message}`);
    this.name = 'PatchMismatch';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** What JSON makes of an array slot: a missing value becomes null. */
const slot = (v: unknown) => (v === undefined ? null : v);

/** Equality as JSON sees it: `undefined` keys are absent, key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(slot(a[i]), slot(b[i]))) return false;
    return true;
  }
  if (!isObject(a) || !isObject(b)) return false;
  let defined = 0;
  for (const k in a) {
    if (a[k] === undefined) continue;
    defined++;
    if (b[k] === undefined || !jsonEqual(a[k], b[k])) return false;
  }
  for (const k in b) if (b[k] !== undefined) defined--;
  return defined === 0;
}

/** The changes that turn `from` into `to` (both objects or both arrays at the root). */
export function diff(from: unknown, to: unknown): PatchOp[] {
  const ops: PatchOp[] = [];
  diffInto(from, to, [], ops);
  return ops;
}

/** `path` is one stack shared by the whole walk (copied only into an operation): a view has thousands of keys. */
function diffInto(a: unknown, b: unknown, path: PatchPath, ops: PatchOp[]): void {
  if (a === b) return;
  if (isObject(a) && isObject(b)) {
    for (const k in a) if (a[k] !== undefined && b[k] === undefined) ops.push(['d', [...path, k]]);
    for (const k in b) {
      const next = b[k];
      if (next === undefined) continue;
      const prev = a[k];
      path.push(k);
      if (prev === undefined) ops.push(['s', [...path], next]);
      else diffInto(prev, next, path, ops);
      path.pop();
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    // Same length: elements changed in place (a poll's count), so say what changed inside them.
    if (a.length === b.length) {
      for (let i = 0; i < a.length; i++) {
        path.push(i);
        diffInto(slot(a[i]), slot(b[i]), path, ops);
        path.pop();
      }
      return;
    }
    let head = 0;
    const shorter = Math.min(a.length, b.length);
    while (head < shorter && jsonEqual(slot(a[head]), slot(b[head]))) head++;
    let tail = 0;
    while (tail < shorter - head && jsonEqual(slot(a[a.length - 1 - tail]), slot(b[b.length - 1 - tail]))) tail++;
    ops.push(['a', [...path], head, a.length - head - tail, b.slice(head, b.length - tail).map(slot)]);
    return;
  }
  // Not the same value, and not two objects or two arrays: JSON cannot see them as equal either.
  ops.push(['s', [...path], b]);
}

/**
 * `value` with `ops` applied, as a new value sharing every part the patch leaves alone (`value` is not changed).
 * Throws `PatchMismatch` when a path does not lead where the patch says.
 */
export function applyPatch<T>(value: T, ops: readonly PatchOp[]): T {
  // Containers copied by this application: changed in place from then on, so each is copied once.
  const fresh = new Set<object>();
  const own = <C extends object>(c: C): C => {
    if (fresh.has(c)) return c;
    const copy = (Array.isArray(c) ? [...c] : { ...c }) as C;
    fresh.add(copy);
    return copy;
  };
  let root: unknown = value;
  for (const op of ops) {
    if (!Array.isArray(op) || !Array.isArray(op[1])) throw new PatchMismatch('malformed operation');
    const path = op[1];
    if (path.length === 0) {
      if (op[0] === 's') root = op[2];
      else if (op[0] === 'a') root = splice(own(asArray(root, path)), op);
      else throw new PatchMismatch('cannot delete the root');
      continue;
    }
    if (typeof root !== 'object' || root === null) throw new PatchMismatch('root is not a container');
    root = own(root);
    let parent = root as Record<string | number, unknown>;
    // Walk to the parent of the last key (or, for a splice, to the array's parent), copying what is on the way.
    const last = path.length - 1;
    for (let i = 0; i < last; i++) {
      const key = path[i]!;
      const child = Object.hasOwn(parent, key) ? parent[key] : undefined;
      if (typeof child !== 'object' || child === null) throw new PatchMismatch(`no ${path.slice(0, i + 1).join('/')}`);
      parent = parent[key] = own(child) as Record<string | number, unknown>;
    }
    const key = path[last]!;
    // A view never has such a key; setting it would change the object's prototype instead.
    if (key === '__proto__') throw new PatchMismatch('forbidden key');
    if (op[0] === 's') {
      if (Array.isArray(parent) && !(typeof key === 'number' && key >= 0 && key < parent.length)) throw new PatchMismatch(`no slot ${path.join('/')}`);
      parent[key] = op[2];
    } else if (op[0] === 'd') {
      if (Array.isArray(parent) || !Object.hasOwn(parent, key)) throw new PatchMismatch(`no key ${path.join('/')}`);
      delete parent[key];
    } else if (op[0] === 'a') {
      parent[key] = splice(own(asArray(Object.hasOwn(parent, key) ? parent[key] : undefined, path)), op);
    } else {
      throw new PatchMismatch('unknown operation');
    }
  }
  return root as T;
}

function asArray(v: unknown, path: PatchPath): unknown[] {
  if (!Array.isArray(v)) throw new PatchMismatch(`no array at ${path.join('/')}`);
  return v;
}

function splice(target: unknown[], op: PatchOp): unknown[] {
  const [, , start, count, items] = op as ['a', PatchPath, number, number, unknown[]];
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > target.length || !Array.isArray(items)) {
    throw new PatchMismatch('splice out of range');
  }
  target.splice(start, count, ...items);
  return target;
}
