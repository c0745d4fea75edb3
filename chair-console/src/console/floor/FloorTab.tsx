import { GiveFloor } from './GiveFloor.tsx';
import { Queue, type QueueProps } from './Queue.tsx';
import { SpeechLog, Unheard } from './SpeechLog.tsx';

export function FloorTab(props: QueueProps) {
  return (
    <div className="tab-stack">
      <Queue {...props} />
      <GiveFloor />
      <Unheard />
      <SpeechLog />
    </div>
  );
}
