/**
 * Why a camera, microphone or media connection failed, as a stable code an app words in its own language. Browsers
 * report these as DOMExceptions whose messages are English, technical and differ between browsers ("Permission
 * denied", "Could not start video source"): a delegate should read what to do instead.
 */
export type MediaFailure = 'denied' | 'noDevice' | 'busy' | 'insecure' | 'unsupported' | 'network';

/** `mediaDevices`: whether the page has `navigator.mediaDevices` (browsers hide it outside HTTPS and localhost). */
export function mediaFailureOf(err: unknown, mediaDevices: boolean = typeof navigator === 'undefined' || Boolean(navigator.mediaDevices)): MediaFailure {
  const name = typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'noDevice';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    case 'SecurityError':
      return 'insecure';
    case 'NotSupportedError':
      return 'unsupported';
  }
  // No `navigator.mediaDevices` at all (getUserMedia then fails with a TypeError): the page is not on HTTPS.
  if (!mediaDevices) return 'insecure';
  return 'network';
}
