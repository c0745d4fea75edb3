/** Committee ballots: encrypted on the tablet, counted homomorphically, opened only by a threshold of the counting committee. See docs/committee-ballots.md. */
export { BallotCryptoError, PROTOCOL_TAG, decodePoint, encodePoint, type RandomBytes } from './group.ts';
export { ballotReceipt, canonicalBallot, encryptBallot, verifyBallot, type BallotShape, type EncryptedBallot, type EncryptedOption } from './ballot.ts';
export {
  badDealers,
  checkComplaint,
  complainAboutShare,
  committeeKey,
  dealShares,
  finishCeremony,
  majority,
  startCeremony,
  verificationKey,
  verifyCommitment,
  type CommitteeParams,
  type MemberCommitment,
  type MemberSecrets,
  type SealedShare,
  type ShareComplaint,
} from './committee.ts';
export { aggregate, combine, decryptShare, verifyBoard, verifyPartial, type BoardCheck, type BulletinBoard, type PartialDecryption } from './tally.ts';
