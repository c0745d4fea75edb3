/** @hall/client-kit — framework-free entry: the client, `can`, countdown math, strings. React parts: `./react`. */
export {
  HallClient,
  type CommandStatus,
  type ConnectionState,
  type HallClientOptions,
  type HallSocket,
  type LoginKind,
  type LoginResult,
  type PendingCommand,
  type ServerNotice,
  type SocketFactory,
} from './client.ts';
export { HallError, httpFailure, isHallError, kitErrorMessages, messageFor, type HallErrorCode, type LoginFailureCode } from './errors.ts';
export { actorOf, decodeClaims, type Claims, type Role } from './claims.ts';
export { can, type CanVerdict } from './can.ts';
export { formatClock, formatHallTime, HALL_TIME_ZONE, remaining, type Remaining } from './time.ts';
export { officialFirst, revotedBy } from './rounds.ts';
export { newCommandId } from './ids.ts';
export {
  createI18n,
  DEFAULT_LANG,
  en,
  isLang,
  LANG_STORAGE_KEY,
  LANGS,
  NAMESPACES,
  resources,
  storedLang,
  storeLang,
  vi,
  type Catalog,
  type CreateI18nOptions,
  type Lang,
  type Namespace,
} from './i18n/index.ts';
export { listDevices, listSessions, revokeDevice, type DeviceSummary, type SessionSummary } from './api.ts';
export { fetchFile, fileNameOf, saveBlob, type FetchedFile } from './files.ts';
export { mediaFailureOf, type MediaFailure } from './media-errors.ts';
export {
  advanceMember,
  badShareMessage,
  ballotShapeOf,
  castCommittee,
  castEncrypted,
  choiceIndices,
  encryptChoice,
  fetchBoard,
  forgetFinished,
  lostSecretsMessage,
  memberKey,
  pollKeyFrom,
  probeBallot,
  receiptKey,
  receiptOnBoard,
  shortReceipt,
  storedReceipt,
  webRandom,
  type CommandSender,
  type CommitteeBoard,
  type CommitteeVoter,
  type MemberCommand,
  type MemberInput,
  type MemberStep,
  type SecretStore,
} from './committee.ts';
