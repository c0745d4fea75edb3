import type { FloorPurpose } from '@hall/core';
import { useStrings } from './i18n.ts';

/**
 * What to call the person at the microphone: in a questioning sitting "Đại biểu chất vấn" / "Trả lời chất vấn"
 * reads better than the bare purpose; otherwise the purpose itself (Phát biểu, Tranh luận, Giải trình…).
 */
export function useSpeakerCaption(): (purpose: FloorPurpose) => string {
  const { t, w } = useStrings();
  return (purpose) => (purpose === 'question' ? w('asking') : purpose === 'answer' ? w('answering') : t(`purposes.${purpose}`));
}
