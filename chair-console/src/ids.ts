/**
 * Ids the chair's commands carry (speechId, pollId, groupId, commitmentId): random, so two consoles (chair and
 * secretary) never collide, and in the alphabet core's `Id` accepts.
 */
export function newId(prefix: string): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `${prefix}-${btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}
