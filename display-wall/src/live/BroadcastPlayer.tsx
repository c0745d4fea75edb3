import { useStrings } from '../shared/i18n.ts';

export interface BroadcastPlayerProps {
  /** `view.broadcast.onAir`: the chair has started the live broadcast. */
  onAir: boolean;
  /** The session whose stream to play (for the WebRTC/HLS player that will replace the placeholder). */
  sessionId: string;
}

/**
 * The video slot of the public page. For now a placeholder: the broadcast work plugs WebRTC (mediasoup/werift) with
 * an HLS fallback in here, and reports its measured latency so `LiveOverlay` can be delayed to match the picture.
 */
export function BroadcastPlayer({ onAir, sessionId }: BroadcastPlayerProps) {
  const { w } = useStrings();
  return (
    <div className={`player${onAir ? ' player--on-air' : ''}`} role="region" aria-label={w('videoLabel')} data-session={sessionId}>
      <p className="player__placeholder" role="status">
        {onAir && (
          <span className="player__live" aria-hidden="true">
            ● {w('onAir')}
          </span>
        )}
        <span>{onAir ? w('onAirPlaceholder') : w('notOnAir')}</span>
      </p>
    </div>
  );
}
